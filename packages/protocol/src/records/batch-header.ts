/**
 * Record batch v2 (magic 2) fixed header: layout, a no-copy reader, and the
 * few in-place writers the broker needs.
 *
 * Grammar (big-endian, byte offsets from the start of the batch):
 *   0  baseOffset            int64   not covered by the CRC
 *   8  batchLength           int32   bytes after this field (total - 12)
 *   12 partitionLeaderEpoch  int32   not covered by the CRC
 *   16 magic                 int8    = 2
 *   17 crc                   uint32  CRC-32C over bytes 21..end
 *   21 attributes            int16   bits 0-2 codec, 3 timestamp type, 4 transactional, 5 control, 6 delete horizon
 *   23 lastOffsetDelta       int32
 *   27 baseTimestamp         int64
 *   35 maxTimestamp          int64
 *   43 producerId            int64
 *   51 producerEpoch         int16
 *   53 baseSequence          int32
 *   57 recordCount           int32
 *   61 records (possibly compressed)
 */
import { crc32c } from './crc32c.ts';

export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORD_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;
/** The CRC covers everything from the attributes to the end of the batch. */
export const CRC_COVERED_FROM = ATTRIBUTES_OFFSET;

export const RECORD_BATCH_HEADER_BYTES = 61;
/** baseOffset + batchLength: the bytes a batch has beyond its batchLength. */
export const LOG_OVERHEAD = 12;
export const CURRENT_MAGIC = 2;

export const ATTRIBUTE_COMPRESSION_MASK = 0x07;
export const ATTRIBUTE_TIMESTAMP_TYPE = 0x08;
export const ATTRIBUTE_TRANSACTIONAL = 0x10;
export const ATTRIBUTE_CONTROL = 0x20;
export const ATTRIBUTE_DELETE_HORIZON = 0x40;

/** Producer id a non-idempotent producer sends (whatever its epoch and sequence say). */
export const NO_PRODUCER_ID = -1n;

export type TimestampType = 'create_time' | 'log_append_time';

export interface RecordBatchHeader {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  /** Unsigned 32-bit. */
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/**
 * Reads the fixed header of the batch starting at `pos`. The caller must have
 * checked that RECORD_BATCH_HEADER_BYTES are there (a short buffer is a bug
 * in the caller and surfaces as Node's RangeError).
 */
export function readBatchHeader(buf: Buffer, pos = 0): RecordBatchHeader {
  return {
    baseOffset: buf.readBigInt64BE(pos + BASE_OFFSET_OFFSET),
    batchLength: buf.readInt32BE(pos + BATCH_LENGTH_OFFSET),
    partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH_OFFSET),
    magic: buf.readInt8(pos + MAGIC_OFFSET),
    crc: buf.readUInt32BE(pos + CRC_OFFSET),
    attributes: buf.readInt16BE(pos + ATTRIBUTES_OFFSET),
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: buf.readBigInt64BE(pos + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: buf.readBigInt64BE(pos + MAX_TIMESTAMP_OFFSET),
    producerId: buf.readBigInt64BE(pos + PRODUCER_ID_OFFSET),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_OFFSET),
    recordCount: buf.readInt32BE(pos + RECORD_COUNT_OFFSET),
  };
}

/** Stamps the broker-assigned base offset; outside the CRC, so the CRC stays valid. */
export function writeBaseOffset(buf: Buffer, pos: number, baseOffset: bigint): void {
  buf.writeBigInt64BE(baseOffset, pos + BASE_OFFSET_OFFSET);
}

/** Stamps the leader epoch; outside the CRC, so the CRC stays valid. */
export function writePartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + PARTITION_LEADER_EPOCH_OFFSET);
}

/**
 * For topics with message.timestamp.type=LogAppendTime: sets the timestamp
 * type bit and maxTimestamp, which are inside the CRC, so it recomputes the
 * CRC. `sizeBytes` is the whole batch (LOG_OVERHEAD + batchLength).
 */
export function writeLogAppendTime(buf: Buffer, pos: number, sizeBytes: number, timestampMs: bigint): void {
  const attributes = buf.readInt16BE(pos + ATTRIBUTES_OFFSET);
  buf.writeInt16BE(attributes | ATTRIBUTE_TIMESTAMP_TYPE, pos + ATTRIBUTES_OFFSET);
  buf.writeBigInt64BE(timestampMs, pos + MAX_TIMESTAMP_OFFSET);
  writeBatchCrc(buf, pos, sizeBytes);
}

/** Computes and stores the CRC of the batch at `pos` spanning `sizeBytes`. */
export function writeBatchCrc(buf: Buffer, pos: number, sizeBytes: number): void {
  const crc = crc32c(buf.subarray(pos + CRC_COVERED_FROM, pos + sizeBytes));
  buf.writeUInt32BE(crc, pos + CRC_OFFSET);
}

/** Codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd; 5-7 are not defined). */
export function compressionOf(attributes: number): number {
  return attributes & ATTRIBUTE_COMPRESSION_MASK;
}

export function isTransactional(attributes: number): boolean {
  return (attributes & ATTRIBUTE_TRANSACTIONAL) !== 0;
}

export function isControl(attributes: number): boolean {
  return (attributes & ATTRIBUTE_CONTROL) !== 0;
}

export function hasDeleteHorizon(attributes: number): boolean {
  return (attributes & ATTRIBUTE_DELETE_HORIZON) !== 0;
}

export function timestampType(attributes: number): TimestampType {
  return (attributes & ATTRIBUTE_TIMESTAMP_TYPE) !== 0 ? 'log_append_time' : 'create_time';
}
