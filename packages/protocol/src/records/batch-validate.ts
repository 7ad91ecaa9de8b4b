/**
 * Whole-batch checks without decoding records: the produce path
 * (validateRecordBatches) and log recovery / reads (scanLogBatches).
 *
 * Both walk concatenated v2 batches reading only the 61-byte headers and
 * running CRC-32C over a subarray of the caller's buffer: no decompression,
 * no per-record decode, no copy. They run on every produce, so they stay
 * allocation-light (one summary object per batch).
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import {
  ATTRIBUTE_COMPRESSION_MASK,
  ATTRIBUTE_CONTROL,
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_COVERED_FROM,
  CRC_OFFSET,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_HEADER_BYTES,
  RECORD_COUNT_OFFSET,
} from './batch-header.ts';
import { crc32c } from './crc32c.ts';

/** What the broker needs from a batch without decoding its records. */
export interface BatchSummary {
  /** Byte position of the batch in the scanned buffer. */
  position: number;
  /** Whole batch: LOG_OVERHEAD + batchLength. */
  sizeBytes: number;
  lastOffsetDelta: number;
  recordCount: number;
  maxTimestamp: bigint;
  baseTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  attributes: number;
}

export type BatchValidationError =
  | 'corrupt_message'
  | 'invalid_record'
  | 'unsupported_compression'
  | 'unsupported_magic';

export interface ValidatedBatches {
  batches: BatchSummary[];
  recordCount: number;
  bytes: number;
}

export interface LogScan {
  batches: BatchSummary[];
  /** Bytes from the start of the buffer that hold whole, intact batches. */
  validBytes: number;
  /** Why the scan stopped before the end; absent when every byte was valid. */
  reason?: 'torn' | 'corrupt';
}

/** Largest codec id Kafka defines (zstd). */
const CODEC_ID_MAX = 4;
/**
 * Smallest possible encoded record: length, attributes, timestampDelta,
 * offsetDelta, keyLength, valueLength and headerCount, one byte each. Lets an
 * uncompressed batch's recordCount be bounded by its size.
 */
const RECORD_BYTES_MIN = 7;

type BatchFault = 'incomplete' | 'bad_length' | 'bad_magic' | 'bad_crc' | 'bad_counts' | 'bad_codec';

/**
 * Produce-path check of a partition's records field. Every byte must belong
 * to a whole, intact v2 batch: a produce request never carries a partial
 * batch. An empty buffer is `invalid_record` (Kafka requires at least one
 * batch). Produce v3+ allows exactly one batch per partition; that rule is the
 * caller's, which sees `batches.length`. Control batches pass here; refusing
 * them from clients is also the caller's (it knows the append origin).
 */
export function validateRecordBatches(buf: Buffer): Result<ValidatedBatches, BatchValidationError> {
  if (buf.length === 0) return err('invalid_record', 'no record batch');
  const batches: BatchSummary[] = [];
  let recordCount = 0;
  let pos = 0;
  while (pos < buf.length) {
    const checked = checkBatchAt(buf, pos, true);
    if (typeof checked === 'string') return err(validationErrorFor(checked), `${checked} batch at byte ${pos}`);
    batches.push(checked);
    recordCount += checked.recordCount;
    pos += checked.sizeBytes;
  }
  return ok({ batches, recordCount, bytes: pos });
}

/**
 * Log recovery and read-side scan: walks batches until the end of `buf` or
 * the first batch that is incomplete ('torn': a write that did not finish) or
 * damaged ('corrupt'), and reports how many leading bytes are whole batches.
 * Never throws on any input. Counts are checked loosely (lastOffsetDelta >=
 * recordCount - 1) because compaction removes records but keeps offsets.
 */
export function scanLogBatches(buf: Buffer): LogScan {
  const batches: BatchSummary[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const checked = checkBatchAt(buf, pos, false);
    if (typeof checked === 'string') {
      return { batches, validBytes: pos, reason: checked === 'incomplete' ? 'torn' : 'corrupt' };
    }
    batches.push(checked);
    pos += checked.sizeBytes;
  }
  return { batches, validBytes: pos };
}

function validationErrorFor(fault: BatchFault): BatchValidationError {
  switch (fault) {
    case 'incomplete':
    case 'bad_length':
    case 'bad_crc':
      return 'corrupt_message';
    case 'bad_magic':
      return 'unsupported_magic';
    case 'bad_counts':
      return 'invalid_record';
    case 'bad_codec':
      return 'unsupported_compression';
  }
}

function checkBatchAt(buf: Buffer, pos: number, produce: boolean): BatchSummary | BatchFault {
  const remaining = buf.length - pos;
  // Magic sits at byte 16 in every message format (v0/v1 too), so an old
  // format is reported as such even when its size would not fit a v2 header.
  if (remaining <= MAGIC_OFFSET) return 'incomplete';
  if (buf.readInt8(pos + MAGIC_OFFSET) !== CURRENT_MAGIC) return 'bad_magic';
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
  if (batchLength < RECORD_BATCH_HEADER_BYTES - LOG_OVERHEAD) return 'bad_length';
  const sizeBytes = LOG_OVERHEAD + batchLength;
  if (sizeBytes > remaining) return 'incomplete';
  const end = pos + sizeBytes;
  if (crc32c(buf.subarray(pos + CRC_COVERED_FROM, end)) !== buf.readUInt32BE(pos + CRC_OFFSET)) return 'bad_crc';

  const attributes = buf.readInt16BE(pos + ATTRIBUTES_OFFSET);
  const codec = attributes & ATTRIBUTE_COMPRESSION_MASK;
  if (codec > CODEC_ID_MAX) return 'bad_codec';
  const recordCount = buf.readInt32BE(pos + RECORD_COUNT_OFFSET);
  const lastOffsetDelta = buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
  if (recordCount < 0) return 'bad_counts';
  if (codec === 0 && recordCount * RECORD_BYTES_MIN > sizeBytes - RECORD_BATCH_HEADER_BYTES) return 'bad_counts';
  const control = (attributes & ATTRIBUTE_CONTROL) !== 0;
  if (produce) {
    if (!control && lastOffsetDelta !== recordCount - 1) return 'bad_counts';
  } else if (lastOffsetDelta < recordCount - 1) {
    return 'bad_counts';
  }

  return {
    position: pos,
    sizeBytes,
    lastOffsetDelta,
    recordCount,
    maxTimestamp: buf.readBigInt64BE(pos + MAX_TIMESTAMP_OFFSET),
    baseTimestamp: buf.readBigInt64BE(pos + BASE_TIMESTAMP_OFFSET),
    producerId: buf.readBigInt64BE(pos + PRODUCER_ID_OFFSET),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_OFFSET),
    attributes,
  };
}
