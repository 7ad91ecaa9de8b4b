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
 * - control and transactional batches, and batches that do not decode, are
 *   copied byte for byte and their keys never enter the map (an aborted
 *   transaction's record must not shadow a committed one).
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
  writeBatchCrc,
} from '@runnel/protocol';

/** Key bytes (as a latin1 string, one char per byte) -> offset of the key's latest record. */
export type OffsetMap = Map<string, bigint>;

export function mapKey(key: Buffer): string {
  return key.toString('latin1');
}

/** The batch's records when it takes part in compaction; null when it is copied as it is. */
async function decodeCompactable(batch: Buffer): Promise<DecodedBatch | null> {
  const attributes = batch.readInt16BE(ATTRIBUTES_OFFSET);
  if (isControl(attributes) || isTransactional(attributes)) return null;
  try {
    const [decoded] = await decodeRecordBatches(batch);
    return decoded ?? null;
  } catch (error: unknown) {
    // Storage never validated records; what it cannot read it keeps untouched.
    if (error instanceof RecordBatchDecodeError) return null;
    throw error;
  }
}

/** Adds the keyed records at or after `fromOffset` of one batch to the map. */
export async function addToOffsetMap(map: OffsetMap, batch: Buffer, fromOffset: bigint): Promise<void> {
  const decoded = await decodeCompactable(batch);
  if (decoded === null) return;
  for (const record of decoded.records) {
    if (record.key !== null && record.offset >= fromOffset) map.set(mapKey(record.key), record.offset);
  }
}

export interface CleaningRules {
  map: OffsetMap;
  nowMs: bigint;
  deleteRetentionMs: bigint;
}

export interface RemovedCounts {
  recordsRemoved: number;
  tombstonesRemoved: number;
}

/** `deleteHorizonMs`: when the tombstones kept in the batch may go (null when it keeps none). */
export type BatchCleaning =
  | { kind: 'keep'; deleteHorizonMs: bigint | null }
  | ({ kind: 'rewrite'; batch: Buffer; deleteHorizonMs: bigint | null } & RemovedCounts)
  | ({ kind: 'empty' } & RemovedCounts);

/** What compaction makes of one batch (see the rules above). */
export async function cleanBatch(batch: Buffer, rules: CleaningRules): Promise<BatchCleaning> {
  const decoded = await decodeCompactable(batch);
  if (decoded === null) return { kind: 'keep', deleteHorizonMs: null };
  const { header } = decoded;
  const horizonSet = hasDeleteHorizon(header.attributes);
  const horizonPassed = horizonSet && rules.nowMs >= header.baseTimestamp;
  const survivors: KafkaRecord[] = [];
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
    survivors.push({
      key: record.key,
      value: record.value,
      headers: record.headers,
      offsetDelta: record.offsetDelta,
      timestampDelta: header.baseTimestamp + record.timestampDelta,
    });
  }
  const stampHorizon = keptTombstone && !horizonSet;
  const baseTimestamp = stampHorizon ? rules.nowMs + rules.deleteRetentionMs : header.baseTimestamp;
  const deleteHorizonMs = keptTombstone ? baseTimestamp : null;
  if (recordsRemoved === 0 && !stampHorizon) return { kind: 'keep', deleteHorizonMs };
  if (survivors.length === 0) return { kind: 'empty', recordsRemoved, tombstonesRemoved };
  // The deltas above hold absolute timestamps until the base is known.
  for (const record of survivors) record.timestampDelta = (record.timestampDelta ?? 0n) - baseTimestamp;
  const out = await encodeRecordBatch({
    records: survivors,
    baseOffset: header.baseOffset,
    compression: decoded.compression,
    baseTimestamp,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    lastOffsetDelta: header.lastOffsetDelta,
  });
  const attributes = header.attributes | (stampHorizon ? ATTRIBUTE_DELETE_HORIZON : 0);
  out.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
  out.writeBigInt64BE(header.maxTimestamp, MAX_TIMESTAMP_OFFSET);
  writeBatchCrc(out, 0, out.length);
  return { kind: 'rewrite', batch: out, deleteHorizonMs, recordsRemoved, tombstonesRemoved };
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
