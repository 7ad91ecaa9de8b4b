/**
 * The producer-state snapshot file format (Runnel's own; Kafka's keeps only
 * each producer's last batch, this keeps all five retained ones, so a
 * restarted replica deduplicates exactly as before).
 *
 * Grammar (big-endian):
 *   version                int16   = 1
 *   crc                    uint32  CRC-32C of every byte after this field
 *   entryCount             int32
 *   entryCount times:
 *     producerId           int64
 *     epoch                int16
 *     coordinatorEpoch     int32
 *     lastTimestampMs      int64
 *     currentTxnFirstOffset int64   -1 when no transaction is open
 *     batchCount           int8    0..5, oldest first:
 *       firstSeq int32, lastSeq int32, firstOffset int64, lastOffset int64, timestampMs int64
 *
 * Decoding never throws: anything that does not parse exactly (version,
 * CRC, lengths, counts, trailing bytes) is `corrupt`, and the caller
 * rebuilds the state from the log instead.
 */
import { err, ok, type Result } from '@runnel/common';
import { crc32c } from '@runnel/protocol';
import { type BatchMetadata, batchesRetained, type ProducerEntry } from './producer-entry.ts';

export const producerSnapshotVersion = 1;

const headerBytes = 2 + 4 + 4;
const entryBytes = 8 + 2 + 4 + 8 + 8 + 1;
const batchBytes = 4 + 4 + 8 + 8 + 8;
const crcFrom = 6;

export function encodeProducerSnapshot(entries: Iterable<ProducerEntry>): Buffer {
  const list = [...entries];
  let size = headerBytes;
  for (const entry of list) size += entryBytes + entry.batches.length * batchBytes;
  const buf = Buffer.allocUnsafe(size);
  buf.writeInt16BE(producerSnapshotVersion, 0);
  buf.writeInt32BE(list.length, crcFrom);
  let pos = headerBytes;
  for (const entry of list) {
    pos = buf.writeBigInt64BE(entry.producerId, pos);
    pos = buf.writeInt16BE(entry.epoch, pos);
    pos = buf.writeInt32BE(entry.coordinatorEpoch, pos);
    pos = buf.writeBigInt64BE(entry.lastTimestampMs, pos);
    pos = buf.writeBigInt64BE(entry.currentTxnFirstOffset ?? -1n, pos);
    pos = buf.writeInt8(entry.batches.length, pos);
    for (const batch of entry.batches) {
      pos = buf.writeInt32BE(batch.firstSeq, pos);
      pos = buf.writeInt32BE(batch.lastSeq, pos);
      pos = buf.writeBigInt64BE(batch.firstOffset, pos);
      pos = buf.writeBigInt64BE(batch.lastOffset, pos);
      pos = buf.writeBigInt64BE(batch.timestampMs, pos);
    }
  }
  buf.writeUInt32BE(crc32c(buf.subarray(crcFrom)), 2);
  return buf;
}

export function decodeProducerSnapshot(buf: Buffer): Result<ProducerEntry[], 'corrupt'> {
  if (buf.length < headerBytes) return err('corrupt', `${buf.length} bytes, shorter than the header`);
  const version = buf.readInt16BE(0);
  if (version !== producerSnapshotVersion) return err('corrupt', `unknown version ${version}`);
  if (crc32c(buf.subarray(crcFrom)) !== buf.readUInt32BE(2)) return err('corrupt', 'CRC mismatch');
  const count = buf.readInt32BE(crcFrom);
  if (count < 0) return err('corrupt', `negative entry count ${count}`);
  const entries: ProducerEntry[] = [];
  let pos = headerBytes;
  for (let i = 0; i < count; i++) {
    if (pos + entryBytes > buf.length) return err('corrupt', `entry ${i} cut short`);
    const producerId = buf.readBigInt64BE(pos);
    const epoch = buf.readInt16BE(pos + 8);
    const coordinatorEpoch = buf.readInt32BE(pos + 10);
    const lastTimestampMs = buf.readBigInt64BE(pos + 14);
    const txnFirstOffset = buf.readBigInt64BE(pos + 22);
    const batchCount = buf.readInt8(pos + 30);
    pos += entryBytes;
    if (batchCount < 0 || batchCount > batchesRetained) return err('corrupt', `entry ${i} has ${batchCount} batches`);
    if (pos + batchCount * batchBytes > buf.length) return err('corrupt', `batches of entry ${i} cut short`);
    const batches: BatchMetadata[] = [];
    for (let b = 0; b < batchCount; b++, pos += batchBytes) {
      batches.push({
        firstSeq: buf.readInt32BE(pos),
        lastSeq: buf.readInt32BE(pos + 4),
        firstOffset: buf.readBigInt64BE(pos + 8),
        lastOffset: buf.readBigInt64BE(pos + 16),
        timestampMs: buf.readBigInt64BE(pos + 24),
      });
    }
    entries.push({
      producerId,
      epoch,
      batches,
      lastTimestampMs,
      coordinatorEpoch,
      currentTxnFirstOffset: txnFirstOffset < 0n ? null : txnFirstOffset,
    });
  }
  if (pos !== buf.length) return err('corrupt', `${buf.length - pos} bytes after the last entry`);
  return ok(entries);
}
