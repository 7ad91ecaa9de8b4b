/**
 * The message browser's query and the pure decisions on it: which
 * partitions to read (a key search reads only the partition Kafka's default
 * partitioner gives the key), where each read starts, when a scan stops
 * (enough records kept, the partition's end, or the request's budget of
 * records and bytes scanned), and which of the records found are answered.
 * The reading itself is message-reader.ts.
 */
import { partitionForKey } from '../../rest/partitioner.ts';
import { RestError, restErrorCodes } from '../../rest/rest-error.ts';

export const messageStarts = ['newest', 'earliest', 'offset', 'timestamp'] as const;
export type MessageStart = (typeof messageStarts)[number];

export const messageLimits = {
  recordsDefault: 50,
  recordsMax: 500,
  scanRecordsDefault: 10_000,
  scanRecordsMax: 100_000,
  scanBytesDefault: 16 * 1024 * 1024,
  scanBytesMax: 64 * 1024 * 1024,
  /** Most partitions one request reads (pick some with `partitions` on larger topics). */
  partitionsMax: 256,
  /** A key or value longer than this is shown cut. */
  partBytesMax: 64 * 1024,
  /** What all shown keys, values and headers of one answer may add up to. */
  shownBytesMax: 8 * 1024 * 1024,
} as const;

/** The querystring as Fastify's schema (message-routes.ts) has checked and coerced it. */
export interface MessageQueryString {
  partitions?: string;
  start?: MessageStart;
  offset?: string;
  timestamp?: number;
  key?: string;
  keyEncoding?: 'utf8' | 'hex';
  limit?: number;
  scanRecordsMax?: number;
  scanBytesMax?: number;
}

export interface MessageQuery {
  /** Partitions asked for; null for all. Ignored with a key: the key decides. */
  partitions: number[] | null;
  start: MessageStart;
  offset: bigint | null;
  timestampMs: number | null;
  key: Buffer | null;
  limit: number;
  scanRecordsMax: number;
  scanBytesMax: number;
}

export function parseMessageQuery(q: MessageQueryString): MessageQuery {
  const start = q.start ?? 'newest';
  if (start === 'offset' && q.offset === undefined) throw invalid('start=offset needs an offset');
  if (start === 'timestamp' && q.timestamp === undefined) throw invalid('start=timestamp needs a timestamp');
  return {
    partitions: q.partitions === undefined || q.partitions === '' ? null : parsePartitionList(q.partitions),
    start,
    offset: start === 'offset' && q.offset !== undefined ? BigInt(q.offset) : null,
    timestampMs: start === 'timestamp' && q.timestamp !== undefined ? q.timestamp : null,
    key: q.key === undefined ? null : keyBytes(q.key, q.keyEncoding ?? 'utf8'),
    limit: q.limit ?? messageLimits.recordsDefault,
    scanRecordsMax: q.scanRecordsMax ?? messageLimits.scanRecordsDefault,
    scanBytesMax: q.scanBytesMax ?? messageLimits.scanBytesDefault,
  };
}

function parsePartitionList(text: string): number[] {
  const partitions = [...new Set(text.split(',').map((p) => Number(p)))].sort((a, b) => a - b);
  if (partitions.some((p) => !Number.isSafeInteger(p) || p < 0)) throw invalid(`bad partition list: ${text}`);
  return partitions;
}

function keyBytes(key: string, encoding: 'utf8' | 'hex'): Buffer {
  if (encoding === 'utf8') return Buffer.from(key, 'utf8');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(key)) throw invalid('a hex key needs an even number of hex digits');
  return Buffer.from(key, 'hex');
}

/** The partitions a query reads of a topic with `partitionCount` partitions, and the key's partition if it has a key. */
export function partitionsToRead(
  query: MessageQuery,
  partitionCount: number,
): { partitions: number[]; keyPartition: number | null } {
  if (query.key !== null) {
    const keyPartition = partitionForKey(query.key, partitionCount);
    return { partitions: [keyPartition], keyPartition };
  }
  const partitions = query.partitions ?? Array.from({ length: partitionCount }, (_, i) => i);
  const unknown = partitions.find((p) => p >= partitionCount);
  if (unknown !== undefined) {
    throw new RestError(
      restErrorCodes.partitionNotFound,
      `Partition ${unknown} not found (the topic has ${partitionCount})`,
    );
  }
  if (partitions.length > messageLimits.partitionsMax) {
    throw invalid(`at most ${messageLimits.partitionsMax} partitions per request: pick some with ?partitions=`);
  }
  return { partitions, keyPartition: null };
}

/**
 * Where a partition's read starts, within its log [low, high). `newest` reads the last `limit` offsets, or with a
 * key the last `scanRecordsMax` (the newest matches); `timestampOffset` is ListOffsets' answer for the query's
 * timestamp (-1: no record at or after it, so nothing to read).
 */
export function startOffset(query: MessageQuery, low: bigint, high: bigint, timestampOffset: bigint | null): bigint {
  const clamp = (offset: bigint) => (offset < low ? low : offset > high ? high : offset);
  switch (query.start) {
    case 'earliest':
      return low;
    case 'offset':
      return clamp(query.offset ?? low);
    case 'timestamp':
      return timestampOffset === null || timestampOffset < 0n ? high : clamp(timestampOffset);
    case 'newest':
      return clamp(high - BigInt(query.key === null ? query.limit : query.scanRecordsMax));
  }
}

/** Whether a scan keeps the newest matches it meets (dropping older ones) rather than stopping at the first `limit`. */
export function keepsNewest(query: MessageQuery): boolean {
  return query.start === 'newest';
}

/** Records and bytes one request may still scan, over all its partitions. Owned by one request. */
export class ScanBudget {
  recordsLeft: number;
  bytesLeft: number;

  constructor(query: MessageQuery) {
    this.recordsLeft = query.scanRecordsMax;
    this.bytesLeft = query.scanBytesMax;
  }

  /** Counts one scanned record of `bytes`; false once the budget is spent (the record is still counted). */
  spend(bytes: number): boolean {
    this.recordsLeft -= 1;
    this.bytesLeft -= bytes;
    return this.recordsLeft > 0 && this.bytesLeft > 0;
  }

  get spent(): boolean {
    return this.recordsLeft <= 0 || this.bytesLeft <= 0;
  }

  /** Which bound stopped a scan. */
  get reason(): 'scanRecordsMax' | 'scanBytesMax' {
    return this.recordsLeft <= 0 ? 'scanRecordsMax' : 'scanBytesMax';
  }
}

export interface Found {
  partition: number;
  offset: bigint;
  timestamp: bigint;
}

/**
 * The records an answer shows, from every partition's finds: ordered by timestamp (then partition, offset), the
 * newest `limit` for a `newest` query, the first `limit` otherwise.
 */
export function answeredRecords<T extends Found>(query: MessageQuery, found: readonly T[]): T[] {
  const ordered = [...found].sort(
    (a, b) => compareBigint(a.timestamp, b.timestamp) || a.partition - b.partition || compareBigint(a.offset, b.offset),
  );
  return keepsNewest(query) ? ordered.slice(Math.max(0, ordered.length - query.limit)) : ordered.slice(0, query.limit);
}

function compareBigint(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function invalid(message: string): RestError {
  return new RestError(restErrorCodes.unprocessableEntity, message);
}
