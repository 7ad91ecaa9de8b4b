/**
 * The few record batch (magic v2) header reads and writes the log needs.
 *
 * Grammar (offsets within a batch, big-endian):
 *   baseOffset int64 @0, batchLength int32 @8 (bytes after this field),
 *   partitionLeaderEpoch int32 @12, magic int8 @16, crc uint32 @17
 *   (CRC32C of bytes 21..end), attributes int16 @21, lastOffsetDelta int32 @23,
 *   baseTimestamp int64 @27, maxTimestamp int64 @35, producerId int64 @43,
 *   producerEpoch int16 @51, baseSequence int32 @53, recordCount int32 @57.
 *
 * Kept local so storage does not wait on @runnel/protocol's record helpers;
 * it can switch to them (readBatchHeader, writeBaseOffset, crc32c) later.
 */
import { crc32c } from '@node-rs/crc32';

export const batchLayout = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  /** Bytes before batchLength's count starts. */
  logOverhead: 12,
  /** The whole fixed header. */
  headerBytes: 61,
} as const;

/** attributes bit 3: timestamps are the broker's append time. */
export const logAppendTimeFlag = 0x08;

export interface BatchSummary {
  baseOffset: bigint;
  lastOffsetDelta: number;
  /** The whole batch, log overhead included. */
  sizeBytes: number;
  maxTimestampMs: bigint;
}

/** Reads the header fields the log uses. `buf` must hold the header at `pos`. */
export function readBatchSummary(buf: Buffer, pos: number): BatchSummary {
  return {
    baseOffset: buf.readBigInt64BE(pos + batchLayout.baseOffset),
    lastOffsetDelta: buf.readInt32BE(pos + batchLayout.lastOffsetDelta),
    sizeBytes: batchLayout.logOverhead + buf.readInt32BE(pos + batchLayout.batchLength),
    maxTimestampMs: buf.readBigInt64BE(pos + batchLayout.maxTimestamp),
  };
}

export type BatchDefect = 'torn' | 'bad_length' | 'bad_magic' | 'bad_crc';

/**
 * Checks the batch starting at `pos` in `buf[..end]`: whole, sane length,
 * magic 2, and a matching CRC. Returns the defect, or the batch size.
 */
export function checkBatch(buf: Buffer, pos: number, end: number): BatchDefect | number {
  if (end - pos < batchLayout.logOverhead) return 'torn';
  const batchLength = buf.readInt32BE(pos + batchLayout.batchLength);
  if (batchLength < batchLayout.headerBytes - batchLayout.logOverhead) return 'bad_length';
  const size = batchLayout.logOverhead + batchLength;
  if (end - pos < batchLayout.headerBytes) return 'torn';
  if (buf.readInt8(pos + batchLayout.magic) !== 2) return 'bad_magic';
  if (end - pos < size) return 'torn';
  const crc = buf.readUInt32BE(pos + batchLayout.crc);
  if (crc32c(buf.subarray(pos + batchLayout.attributes, pos + size)) !== crc) return 'bad_crc';
  return size;
}

/** Stamps the fields the log owns; both lie outside the CRC. */
export function stampBatch(buf: Buffer, pos: number, baseOffset: bigint, leaderEpoch: number): void {
  buf.writeBigInt64BE(baseOffset, pos + batchLayout.baseOffset);
  buf.writeInt32BE(leaderEpoch, pos + batchLayout.partitionLeaderEpoch);
}

/** LogAppendTime: maxTimestamp becomes the broker's clock, so the CRC is recomputed. */
export function stampLogAppendTime(buf: Buffer, pos: number, size: number, nowMs: bigint): void {
  const attributes = buf.readInt16BE(pos + batchLayout.attributes);
  buf.writeInt16BE(attributes | logAppendTimeFlag, pos + batchLayout.attributes);
  buf.writeBigInt64BE(nowMs, pos + batchLayout.maxTimestamp);
  buf.writeUInt32BE(crc32c(buf.subarray(pos + batchLayout.attributes, pos + size)), pos + batchLayout.crc);
}
