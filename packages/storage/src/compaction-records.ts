/**
 * Compaction at the record level: the key -> latest offset map, and what
 * becomes of one batch. The only place storage decodes records (through
 * @runnel/protocol's batch codec); append and read never do.
 *
 * Rules for a record in a cleanable batch:
 * - a record whose key has a newer offset in the map is dropped;
 * - a tombstone (null value) that is its key's latest record is kept and its
 *   batch gets a delete horizon (KIP-534: attributes bit 6, baseTimestamp =
 *   now + delete.retention.ms, record timestamp deltas rebased so every
 *   record keeps its timestamp); once a pass runs at or past the horizon the
 *   tombstone is dropped. So a tombstone lives at least delete.retention.ms
 *   after the first compaction that saw it;
 * - keyless records are kept (the broker should refuse them on produce to a
 *   compacted topic, as Kafka does);
 * - transactions follow compaction-txns.ts: an aborted transaction's
 *   records all go and never enter the map (they must not shadow a
 *   committed record), committed ones are compacted as above, a marker
 *   stays while its transaction has batches and goes after a delete
 *   horizon of its own once it has none, and a producer's last batch is
 *   kept, emptied when its records go (producer fields, offsets and
 *   attributes unchanged, recordCount 0);
 * - batches that do not decode are copied byte for byte and their keys
 *   never enter the map.
 *
 * A rewritten batch keeps its baseOffset, lastOffsetDelta, maxTimestamp,
 * attributes, producer fields and partitionLeaderEpoch, with the surviving
 * records re-encoded (and re-compressed with the batch's own codec), a new
 * recordCount, length and CRC. A batch left with no records becomes part of
 * a filler: one empty batch (recordCount 0) spanning a run of emptied
 * batches, so a segment's offsets stay contiguous (recovery, indexes and a
 * follower's appendAsFollower all rely on that) at 61 bytes per run.
 */
import {
  ATTRIBUTE_COMPRESSION_MASK,
  ATTRIBUTE_DELETE_HORIZON,
  ATTRIBUTE_TIMESTAMP_TYPE,
  ATTRIBUTES_OFFSET,
  type DecodedBatch,
  decodeRecordBatches,
  encodeRecordBatch,
  encodeRecordBatchSync,
  hasDeleteHorizon,
  isControl,
  isTransactional,
  type KafkaRecord,
  MAX_TIMESTAMP_OFFSET,
  RecordBatchDecodeError,
  type RecordBatchHeader,
  readBatchHeader,
  writeBatchCrc,
} from '@runnel/protocol';
import type { MarkerKind, TxnBatchHeader, TxnCleaning } from './compaction-txns.ts';

/** Key bytes (as a latin1 string, one char per byte) -> offset of the key's latest record. */
export type OffsetMap = Map<string, bigint>;

export function mapKey(key: Buffer): string {
  return key.toString('latin1');
}

/** The records of a data batch, or null when it does not decode (then it is copied as it is). */
async function decodeData(batch: Buffer): Promise<DecodedBatch | null> {
  try {
    const [decoded] = await decodeRecordBatches(batch);
    return decoded ?? null;
  } catch (error: unknown) {
    // Storage never validated records; what it cannot read it keeps untouched.
    if (error instanceof RecordBatchDecodeError) return null;
    throw error;
  }
}

type DecodedRecords = DecodedBatch['records'][number][];

function txnHeader(header: RecordBatchHeader): TxnBatchHeader {
  return {
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    lastOffset: header.baseOffset + BigInt(header.lastOffsetDelta),
    transactional: isTransactional(header.attributes),
    control: isControl(header.attributes),
  };
}

/** What a control batch's record says (key: version int16, type int16: 0 abort, 1 commit). */
async function markerKind(batch: Buffer, header: RecordBatchHeader): Promise<MarkerKind> {
  if (header.recordCount === 0) return 'emptied';
  const key = (await decodeData(batch))?.records[0]?.key ?? null;
  if (key === null || key.length < 4) return 'other';
  const type = key.readInt16BE(2);
  return type === 0 ? 'abort' : type === 1 ? 'commit' : 'other';
}

/** Adds the keyed records at or after `fromOffset` of one batch to the map; markers and aborted records never enter. */
export async function addToOffsetMap(
  map: OffsetMap,
  batch: Buffer,
  fromOffset: bigint,
  txns: TxnCleaning,
): Promise<void> {
  const header = readBatchHeader(batch, 0);
  if (isControl(header.attributes)) {
    txns.controlBatch(txnHeader(header), await markerKind(batch, header));
    return;
  }
  if (txns.dataBatch(txnHeader(header))) return;
  const decoded = await decodeData(batch);
  if (decoded === null) return;
  for (const record of decoded.records) {
    if (record.key !== null && record.offset >= fromOffset) map.set(mapKey(record.key), record.offset);
  }
}

export interface CleaningRules {
  map: OffsetMap;
  nowMs: bigint;
  deleteRetentionMs: bigint;
  /** This pass's transaction state, fed every batch in offset order from the log start. */
  txns: TxnCleaning;
}

export interface RemovedCounts {
  recordsRemoved: number;
  tombstonesRemoved: number;
  /** Records of aborted transactions among recordsRemoved. */
  abortedRecordsRemoved: number;
  markersRemoved: number;
}

const noneRemoved = { recordsRemoved: 0, tombstonesRemoved: 0, abortedRecordsRemoved: 0, markersRemoved: 0 };

/** `deleteHorizonMs`: when the tombstones kept in the batch may go (null when it keeps none). */
export type BatchCleaning =
  | { kind: 'keep'; deleteHorizonMs: bigint | null }
  | ({ kind: 'rewrite'; batch: Buffer; deleteHorizonMs: bigint | null } & RemovedCounts)
  | ({ kind: 'empty' } & RemovedCounts);

/** What compaction makes of one batch (see the rules above). */
export async function cleanBatch(batch: Buffer, rules: CleaningRules): Promise<BatchCleaning> {
  const header = readBatchHeader(batch, 0);
  const txn = txnHeader(header);
  if (txn.control) return cleanMarker(batch, header, txn, rules);
  if (rules.txns.dataBatch(txn)) {
    const removed = { ...noneRemoved, recordsRemoved: header.recordCount, abortedRecordsRemoved: header.recordCount };
    return emptied(header, txn, rules, removed);
  }
  const decoded = await decodeData(batch);
  if (decoded === null) return { kind: 'keep', deleteHorizonMs: null };
  return cleanRecords(decoded, txn, rules);
}

/** A marker stays while its transaction has batches; then it is stamped with a delete horizon, and goes at it. */
async function cleanMarker(
  batch: Buffer,
  header: RecordBatchHeader,
  txn: TxnBatchHeader,
  rules: CleaningRules,
): Promise<BatchCleaning> {
  const kind = await markerKind(batch, header);
  const removable = rules.txns.controlBatch(txn, kind);
  const horizonSet = hasDeleteHorizon(header.attributes);
  if (kind === 'emptied' || (removable && horizonSet && rules.nowMs >= header.baseTimestamp)) {
    return emptied(header, txn, rules, { ...noneRemoved, markersRemoved: header.recordCount });
  }
  if (!removable || kind === 'other') return { kind: 'keep', deleteHorizonMs: null };
  if (horizonSet) return { kind: 'keep', deleteHorizonMs: header.baseTimestamp };
  const decoded = await decodeData(batch);
  if (decoded === null) return { kind: 'keep', deleteHorizonMs: null };
  const horizonMs = rules.nowMs + rules.deleteRetentionMs;
  const out = await rebuild(decoded, decoded.records, header.attributes | ATTRIBUTE_DELETE_HORIZON, horizonMs);
  return { kind: 'rewrite', batch: out, deleteHorizonMs: horizonMs, ...noneRemoved };
}

/** A batch whose records all go: dropped, or kept empty when it holds its producer's last state. */
function emptied(
  header: RecordBatchHeader,
  txn: TxnBatchHeader,
  rules: CleaningRules,
  removed: RemovedCounts,
): BatchCleaning {
  if (!rules.txns.isProducersLast(txn)) return { kind: 'empty', ...removed };
  if (header.recordCount === 0) return { kind: 'keep', deleteHorizonMs: null };
  return { kind: 'rewrite', batch: producerShell(header), deleteHorizonMs: null, ...removed };
}

/** Key compaction of a data batch's records (committed or non-transactional). */
async function cleanRecords(decoded: DecodedBatch, txn: TxnBatchHeader, rules: CleaningRules): Promise<BatchCleaning> {
  const { header } = decoded;
  const horizonSet = hasDeleteHorizon(header.attributes);
  const horizonPassed = horizonSet && rules.nowMs >= header.baseTimestamp;
  const survivors: DecodedRecords = [];
  let recordsRemoved = 0;
  let tombstonesRemoved = 0;
  let keptTombstone = false;
  for (const record of decoded.records) {
    const latest = record.key === null || (rules.map.get(mapKey(record.key)) ?? record.offset) <= record.offset;
    const tombstone = record.value === null;
    if (!latest || (tombstone && record.key !== null && horizonPassed)) {
      recordsRemoved++;
      if (tombstone) tombstonesRemoved++;
      continue;
    }
    if (tombstone && record.key !== null) keptTombstone = true;
    survivors.push(record);
  }
  const stampHorizon = keptTombstone && !horizonSet;
  const baseTimestamp = stampHorizon ? rules.nowMs + rules.deleteRetentionMs : header.baseTimestamp;
  const deleteHorizonMs = keptTombstone ? baseTimestamp : null;
  if (recordsRemoved === 0 && !stampHorizon) return { kind: 'keep', deleteHorizonMs };
  const removed = { ...noneRemoved, recordsRemoved, tombstonesRemoved };
  if (survivors.length === 0) return emptied(header, txn, rules, removed);
  const attributes = header.attributes | (stampHorizon ? ATTRIBUTE_DELETE_HORIZON : 0);
  const out = await rebuild(decoded, survivors, attributes, baseTimestamp);
  return { kind: 'rewrite', batch: out, deleteHorizonMs, ...removed };
}

/**
 * The batch re-encoded with `records` (each keeps its timestamp) on
 * `baseTimestamp`, with its own offsets, codec, producer fields, epoch,
 * maxTimestamp and `attributes`.
 */
async function rebuild(
  decoded: DecodedBatch,
  records: DecodedRecords,
  attributes: number,
  baseTimestamp: bigint,
): Promise<Buffer> {
  const { header } = decoded;
  const out = await encodeRecordBatch({
    records: records.map(
      (record): KafkaRecord => ({
        key: record.key,
        value: record.value,
        headers: record.headers,
        offsetDelta: record.offsetDelta,
        timestampDelta: header.baseTimestamp + record.timestampDelta - baseTimestamp,
      }),
    ),
    baseOffset: header.baseOffset,
    compression: decoded.compression,
    baseTimestamp,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    lastOffsetDelta: header.lastOffsetDelta,
  });
  out.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
  out.writeBigInt64BE(header.maxTimestamp, MAX_TIMESTAMP_OFFSET);
  writeBatchCrc(out, 0, out.length);
  return out;
}

/** The batch with no records and everything else of its header kept (Kafka's RETAIN_EMPTY). */
function producerShell(header: RecordBatchHeader): Buffer {
  const out = encodeRecordBatchSync({
    records: [],
    baseOffset: header.baseOffset,
    baseTimestamp: header.baseTimestamp,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    lastOffsetDelta: header.lastOffsetDelta,
  });
  // No records left to compress: the codec bits go, the rest (transactional, control, horizon) stay.
  out.writeInt16BE(header.attributes & ~ATTRIBUTE_COMPRESSION_MASK, ATTRIBUTES_OFFSET);
  out.writeBigInt64BE(header.maxTimestamp, MAX_TIMESTAMP_OFFSET);
  writeBatchCrc(out, 0, out.length);
  return out;
}

/** A run of consecutive emptied batches with one leader epoch. */
export interface EmptiedRun {
  baseOffset: bigint;
  lastOffset: bigint;
  partitionLeaderEpoch: number;
  maxTimestampMs: bigint;
  logAppendTime: boolean;
}

/**
 * The empty batch standing for a run: its offsets, epoch (so a leader epoch
 * cache rebuilt from batch headers is unchanged) and largest timestamp (so
 * the segment's time index and retention by time are unchanged).
 */
export function fillerBatch(run: EmptiedRun): Buffer {
  const out = encodeRecordBatchSync({
    records: [],
    baseOffset: run.baseOffset,
    baseTimestamp: run.maxTimestampMs,
    partitionLeaderEpoch: run.partitionLeaderEpoch,
    lastOffsetDelta: Number(run.lastOffset - run.baseOffset),
  });
  if (run.logAppendTime) {
    out.writeInt16BE(out.readInt16BE(ATTRIBUTES_OFFSET) | ATTRIBUTE_TIMESTAMP_TYPE, ATTRIBUTES_OFFSET);
    writeBatchCrc(out, 0, out.length);
  }
  return out;
}
