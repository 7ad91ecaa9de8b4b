/**
 * Reads what a message browser query asks of a topic: each chosen partition
 * from its start offset up to the high watermark it had when the read began,
 * stopping at the query's record limit or when the request's scan budget
 * (records and bytes, over all partitions) is spent, then shows the answered
 * records through record-view.ts. Every partition's scan is reported (where
 * it started and stopped, what it scanned, why it stopped), so a caller can
 * see that a key search read one partition only. Kept records are copied
 * out of the fetch buffers; the rest are only looked at.
 */
import { type ConsumedRecord, type KafkaClient, KafkaError } from '@runnel/client';
import { ErrorCode } from '@runnel/protocol';
import { RestError, restErrorCodes } from '../../rest/rest-error.ts';
import type { MessagePage, RecordView, ScanReport } from '../message-schema-api-types.ts';
import {
  answeredRecords,
  type Found,
  keepsNewest,
  type MessageQuery,
  messageLimits,
  partitionsToRead,
  ScanBudget,
  startOffset,
} from './message-query.ts';
import { type FrameDecoder, headerView, partView, ShownBudget } from './record-view.ts';

interface Kept extends Found {
  record: ConsumedRecord;
}

/** Bytes per fetch: small reads, so a key scan stops near its budget rather than a whole large fetch past it. */
const fetchBytes = 1024 * 1024;

export async function readMessages(
  client: KafkaClient,
  decodeFrame: FrameDecoder,
  topic: string,
  query: MessageQuery,
): Promise<MessagePage> {
  const partitionCount = await partitionCountOf(client, topic);
  const { partitions, keyPartition } = partitionsToRead(query, partitionCount);
  const budget = new ScanBudget(query);
  const kept: Kept[] = [];
  const scans: ScanReport[] = [];
  for (const partition of partitions) {
    const scan = await kafkaCall(() => scanPartition(client, topic, partition, query, budget, kept));
    scans.push(scan);
  }
  const shown = new ShownBudget(messageLimits.shownBytesMax);
  const records: RecordView[] = [];
  for (const { record } of answeredRecords(query, kept)) {
    records.push({
      partition: record.partition,
      offset: record.offset.toString(),
      timestamp: Number(record.timestamp),
      key: await partView(record.key, decodeFrame, messageLimits.partBytesMax, shown),
      value: await partView(record.value, decodeFrame, messageLimits.partBytesMax, shown),
      headers: record.headers.map((header) => headerView(header, shown)),
    });
  }
  return {
    topic,
    partitionCount,
    partitions,
    keyPartition,
    records,
    scans,
    scanned: {
      records: scans.reduce((sum, s) => sum + s.recordsScanned, 0),
      bytes: scans.reduce((sum, s) => sum + s.bytesScanned, 0),
    },
  };
}

/** The topic's partition count; RestError 40401 when the cluster does not know it (never creates it). */
export async function partitionCountOf(client: KafkaClient, topic: string): Promise<number> {
  const metadata = await kafkaCall(() => client.metadata([topic], { allowAutoTopicCreation: false }));
  const info = metadata.topics.find((t) => t.name === topic);
  if (info === undefined || info.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
    throw new RestError(restErrorCodes.topicNotFound, `Topic ${topic} not found.`);
  }
  if (info.errorCode !== 0) throw new KafkaError(info.errorCode);
  return info.partitions.length;
}

async function scanPartition(
  client: KafkaClient,
  topic: string,
  partition: number,
  query: MessageQuery,
  budget: ScanBudget,
  kept: Kept[],
): Promise<ScanReport> {
  const low = (await client.listOffsets(topic, partition, -2n)).offset;
  const high = (await client.listOffsets(topic, partition, -1n)).offset;
  const timestampOffset =
    query.timestampMs === null ? null : (await client.listOffsets(topic, partition, BigInt(query.timestampMs))).offset;
  const from = startOffset(query, low, high, timestampOffset);
  const report: ScanReport = {
    partition,
    lowWatermark: low.toString(),
    highWatermark: high.toString(),
    fromOffset: from.toString(),
    nextOffset: from.toString(),
    recordsScanned: 0,
    bytesScanned: 0,
    matched: 0,
    stoppedBy: 'end',
  };
  if (budget.spent) return { ...report, stoppedBy: budget.reason };
  if (from >= high) return report;
  const mine: Kept[] = [];
  for await (const record of client.consume(topic, partition, { from, stopAtEnd: true, maxBytes: fetchBytes })) {
    // Records past the high watermark the read began with belong to a later read (a steady page for `newest`).
    if (record.offset >= high) break;
    const bytes = recordBytes(record);
    const more = budget.spend(bytes);
    report.recordsScanned += 1;
    report.bytesScanned += bytes;
    report.nextOffset = (record.offset + 1n).toString();
    if (query.key === null || record.key?.equals(query.key) === true) {
      mine.push({ partition, offset: record.offset, timestamp: record.timestamp, record: copied(record) });
      // A `newest` key scan keeps going to the end and keeps the last matches; other scans stop at the limit.
      if (mine.length > query.limit) mine.shift();
      if (!keepsNewest(query) && mine.length >= query.limit) {
        report.stoppedBy = 'limit';
        break;
      }
    }
    if (!more) {
      report.stoppedBy = budget.reason;
      break;
    }
  }
  report.matched = mine.length;
  kept.push(...mine);
  return report;
}

/** What a record counts against the scan budget: its key, value and headers. */
function recordBytes(record: ConsumedRecord): number {
  let bytes = (record.key?.byteLength ?? 0) + (record.value?.byteLength ?? 0);
  for (const header of record.headers) bytes += Buffer.byteLength(header.key) + (header.value?.byteLength ?? 0);
  return bytes;
}

/** A record's parts copied out of the fetch response, which would otherwise stay alive behind them. */
function copied(record: ConsumedRecord): ConsumedRecord {
  return {
    ...record,
    key: record.key === null ? null : Buffer.from(record.key),
    value: record.value === null ? null : Buffer.from(record.value),
    headers: record.headers.map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value) })),
  };
}

/** A Kafka error from the cluster as the REST answer Confluent's proxy gives it (50002, 50003 when retriable). */
async function kafkaCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RestError) throw error;
    if (error instanceof KafkaError) {
      if (error.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        throw new RestError(restErrorCodes.topicNotFound, error.message, { cause: error });
      }
      throw new RestError(restErrorCodes.kafkaError, `Kafka error: ${error.message}`, { cause: error });
    }
    throw new RestError(restErrorCodes.kafkaError, `Kafka error: ${(error as Error).message}`, { cause: error });
  }
}
