/**
 * Bodies and results of the single-partition data APIs (Produce, Fetch,
 * ListOffsets). Pure: build a request, pick the partition out of a response.
 */
import type {
  FetchRequest,
  FetchResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
  ProduceRequest,
  ProduceResponse,
  RecordsData,
} from '@runnel/protocol';
import { ConnectionError } from './errors.ts';

export type Acks = -1 | 0 | 1;

export interface ProduceResult {
  /** Offset of the first record; -1n with acks=0 (no response). */
  baseOffset: bigint;
  /** The broker's append time for LogAppendTime topics, else -1n. */
  logAppendTimeMs: bigint;
}

export interface FetchOptions {
  /** Upper bound on the response's record bytes. Default 1 MiB. */
  maxBytes?: number;
  /** How long the broker may wait for minBytes. Default 0 (answer at once). */
  maxWaitMs?: number;
  /** Bytes the broker waits for before answering. Default 1. */
  minBytes?: number;
}

export interface FetchResult {
  /** Kafka error code for the partition, as data (0 = NONE). */
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  /** Raw record batches, a view of the response frame; the last one may be partial. */
  records: Buffer;
}

export interface OffsetLookup {
  errorCode: number;
  offset: bigint;
  timestamp: bigint;
}

export const fetchMaxBytesDefault = 1024 * 1024;

export function produceRequest(
  topic: string,
  partition: number,
  records: RecordsData,
  acks: Acks,
  timeoutMs: number,
  transactionalId: string | null = null,
): ProduceRequest {
  return {
    transactionalId,
    acks,
    timeoutMs,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  };
}

export function produceResult(
  response: ProduceResponse,
  topic: string,
  partition: number,
): ProduceResult & { errorCode: number } {
  const p = response.responses.find((t) => t.name === topic)?.partitionResponses.find((x) => x.index === partition);
  if (p === undefined) throw missingPartition('Produce', topic, partition);
  return { errorCode: p.errorCode, baseOffset: p.baseOffset, logAppendTimeMs: p.logAppendTimeMs ?? -1n };
}

export function fetchRequest(topic: string, partition: number, offset: bigint, options: FetchOptions): FetchRequest {
  const maxBytes = options.maxBytes ?? fetchMaxBytesDefault;
  return {
    replicaId: -1,
    maxWaitMs: options.maxWaitMs ?? 0,
    minBytes: options.minBytes ?? 1,
    maxBytes,
    isolationLevel: 0,
    // sessionId 0 with epoch -1: a full fetch outside any fetch session (KIP-227).
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          { partition, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: maxBytes },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

export function fetchResult(response: FetchResponse, topic: string, partition: number): FetchResult {
  const p = response.responses.find((t) => t.topic === topic)?.partitions.find((x) => x.partitionIndex === partition);
  if (p === undefined) {
    // A request-level error (v7+) comes with no partitions.
    const errorCode = response.errorCode ?? 0;
    if (errorCode !== 0) {
      return { errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: Buffer.alloc(0) };
    }
    throw missingPartition('Fetch', topic, partition);
  }
  return {
    errorCode: p.errorCode,
    highWatermark: p.highWatermark,
    lastStableOffset: p.lastStableOffset,
    logStartOffset: p.logStartOffset ?? -1n,
    records: recordsBuffer(p.records),
  };
}

/** ListOffsets' isolation: read_committed answers "latest" with the last stable offset (v2+). */
export type IsolationLevel = 'read_uncommitted' | 'read_committed';

export function listOffsetsRequest(
  topic: string,
  partition: number,
  timestamp: bigint,
  isolation: IsolationLevel = 'read_uncommitted',
): ListOffsetsRequest {
  return {
    replicaId: -1,
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp }] }],
  };
}

export function listOffsetsResult(response: ListOffsetsResponse, topic: string, partition: number): OffsetLookup {
  const p = response.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partitionIndex === partition);
  if (p === undefined) throw missingPartition('ListOffsets', topic, partition);
  // v0 answers a list of offsets, newest first, and no timestamp.
  return { errorCode: p.errorCode, offset: p.offset ?? p.oldStyleOffsets?.[0] ?? -1n, timestamp: p.timestamp ?? -1n };
}

function recordsBuffer(records: RecordsData | null): Buffer {
  if (records === null) return Buffer.alloc(0);
  // Decoding always yields one Buffer; chunks only appear on the encode side.
  return Buffer.isBuffer(records) ? records : Buffer.concat(records);
}

function missingPartition(api: string, topic: string, partition: number): ConnectionError {
  return new ConnectionError('malformed_response', `${api} response lacks ${topic}-${partition}`);
}
