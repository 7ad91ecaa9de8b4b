/**
 * One v2 records request: fetch from every held partition at its position
 * until records arrive or the request's timeout passes, take them in read
 * order until `max_bytes` (key and value bytes, as Confluent counts; the
 * first record always goes, so an oversized record cannot stall the
 * instance), decode keys and values in the instance's embedded format, and
 * advance the positions past what is returned. Records fetched beyond the
 * budget are dropped unread and fetched again by the next request.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { type FetchResult, type KafkaClient, KafkaError } from '@runnel/client';
import { decodeRecordBatches, ErrorCode, isControl } from '@runnel/protocol';
import type { EmbeddedFormat, EmbeddedFormats } from '../formats/embedded-formats.ts';
import { RestError, restErrorCodes } from '../rest-error.ts';
import type { AutoOffsetReset, TopicPartition } from './instance-definition.ts';
import { partitionKey, startPosition } from './instance-state.ts';

export interface V2Record {
  topic: string;
  key: unknown;
  value: unknown;
  partition: number;
  offset: number;
}

export interface ReadOptions {
  readonly order: readonly TopicPartition[];
  readonly positions: Map<string, bigint>;
  readonly format: EmbeddedFormat;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly fetchMinBytes: number;
  readonly autoOffsetReset: AutoOffsetReset;
  readonly signal: AbortSignal;
}

/** Longest single fetch wait: a request's timeout is spent in rounds so it can end as soon as records arrive. */
const roundWaitMsMax = 500;
/** Largest fetch per partition; a response holds at most this times the partitions held. */
const partitionFetchBytesMax = 1024 * 1024;

/** The records of one request; `positions` is updated in place for what is returned. */
export async function readRecords(
  client: KafkaClient,
  formats: EmbeddedFormats,
  options: ReadOptions,
): Promise<V2Record[]> {
  const deadline = Date.now() + options.timeoutMs;
  let first = true;
  while (options.order.length > 0 && !options.signal.aborted) {
    const remainingMs = Math.max(0, deadline - Date.now());
    const waitMs = first ? 0 : Math.min(remainingMs, roundWaitMsMax);
    first = false;
    const perPartition = Math.min(options.maxBytes, partitionFetchBytesMax);
    const fetched = await Promise.all(options.order.map((tp) => fetchOne(client, tp, options, perPartition, waitMs)));
    const records = await take(fetched, options, formats);
    if (records.length > 0 || Date.now() >= deadline) return records;
  }
  if (options.order.length === 0 && options.timeoutMs > 0) {
    // Nothing held (no subscription yet, or a rebalance): wait out the timeout as a poll would, then answer empty.
    await delay(Math.min(options.timeoutMs, roundWaitMsMax * 4), undefined, { signal: options.signal }).catch(
      () => undefined,
    );
  }
  return [];
}

interface Fetched {
  readonly tp: TopicPartition;
  readonly result: FetchResult | null;
}

async function fetchOne(
  client: KafkaClient,
  tp: TopicPartition,
  options: ReadOptions,
  maxBytes: number,
  maxWaitMs: number,
): Promise<Fetched> {
  const position = options.positions.get(partitionKey(tp));
  if (position === undefined) return { tp, result: null };
  const result = await client.fetch(tp.topic, tp.partition, position, {
    maxBytes,
    maxWaitMs,
    minBytes: options.fetchMinBytes,
  });
  if (result.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
    // The position fell off the log (retention, DeleteRecords) or past its end: the reset policy decides.
    const ends = {
      earliest: (await client.listOffsets(tp.topic, tp.partition, -2n)).offset,
      latest: (await client.listOffsets(tp.topic, tp.partition, -1n)).offset,
    };
    const reset = startPosition(null, options.autoOffsetReset, ends);
    if (reset === null) {
      throw new RestError(restErrorCodes.kafkaError, `offset ${position} is out of range for ${partitionKey(tp)}`);
    }
    options.positions.set(partitionKey(tp), reset);
    return { tp, result: null };
  }
  if (result.errorCode !== ErrorCode.NONE) {
    throw new KafkaError(result.errorCode, `fetching ${partitionKey(tp)}`);
  }
  return { tp, result };
}

async function take(fetched: readonly Fetched[], options: ReadOptions, formats: EmbeddedFormats): Promise<V2Record[]> {
  const records: V2Record[] = [];
  // Applied only once every record decoded: a record that fails to decode fails the request and moves nothing.
  const advanced = new Map<string, bigint>();
  let bytes = 0;
  for (const { tp, result } of fetched) {
    if (result === null || result.records.length === 0) continue;
    const key = partitionKey(tp);
    const position = options.positions.get(key);
    if (position === undefined) continue;
    let next = position;
    let full = false;
    for (const batch of await decodeRecordBatches(result.records)) {
      const batchEnd = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
      if (isControl(batch.header.attributes)) {
        // A transaction marker is no record to return, but reading moves past it.
        if (batchEnd > next) next = batchEnd;
        continue;
      }
      for (const record of batch.records) {
        if (record.offset < next) continue;
        const size = (record.key?.length ?? 0) + (record.value?.length ?? 0);
        if (records.length > 0 && bytes + size > options.maxBytes) {
          full = true;
          break;
        }
        bytes += size;
        records.push({
          topic: tp.topic,
          key: await formats.decode(options.format, record.key),
          value: await formats.decode(options.format, record.value),
          partition: tp.partition,
          offset: Number(record.offset),
        });
        next = record.offset + 1n;
      }
      if (full) break;
    }
    advanced.set(key, next);
    if (full) break;
  }
  for (const [key, next] of advanced) options.positions.set(key, next);
  return records;
}
