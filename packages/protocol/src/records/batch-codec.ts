/**
 * Full encode / decode of v2 record batches, records included, for tools,
 * tests, the CLI, the bench load generator and compaction. The broker's
 * produce and fetch paths never come here: they use batch-validate.ts and
 * move batch bytes untouched.
 *
 * Encode: records (record.ts) -> optional compression -> 61-byte header
 * (batch-header.ts) -> CRC-32C over bytes 21..end.
 * Decode: walks concatenated batches, verifies each, decompresses, decodes
 * records; a partial batch at the end (fetch responses may end with one) is
 * ignored. Bad input throws RecordBatchDecodeError and nothing else.
 */
import { assert } from '@runnel/common';
import type { RecordBatchHeader } from './batch-header.ts';
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_TRANSACTIONAL,
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_COVERED_FROM,
  CURRENT_MAGIC,
  compressionOf,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  NO_PRODUCER_ID,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_HEADER_BYTES,
  RECORD_COUNT_OFFSET,
  RECORDS_OFFSET,
  readBatchHeader,
  timestampType,
  writeBatchCrc,
} from './batch-header.ts';
import type { CompressionCodec, DecompressOptions } from './compression.ts';
import {
  CompressionError,
  codecFromId,
  codecId,
  compress,
  compressSync,
  decompress,
  decompressSync,
} from './compression.ts';
import { crc32c } from './crc32c.ts';
import type { DecodedRecord, KafkaRecord } from './record.ts';
import { encodedRecordSize, readRecord, writeRecord } from './record.ts';
import { RecordBatchDecodeError } from './record-decode-error.ts';
import { RecordReader } from './record-varint.ts';

export interface EncodeRecordBatchOptions {
  records: KafkaRecord[];
  /** Default 0n; the broker overwrites it on append. */
  baseOffset?: bigint;
  compression?: CompressionCodec;
  /** Snappy only: write xerial framing instead of raw. */
  snappyFraming?: 'raw' | 'xerial';
  /** Default: the wall clock now. Pass it for reproducible bytes. */
  baseTimestamp?: bigint;
  /** Default -1n (not idempotent), with epoch and sequence -1 as Java and librdkafka send. */
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  /** Control batch (transaction markers); written by the broker only. */
  control?: boolean;
  /** Default -1 (no epoch); the broker stamps its own on append. */
  partitionLeaderEpoch?: number;
  /**
   * Default: the last record's offsetDelta (or -1 with no records). Compaction
   * passes the original so the batch still ends at the same offset.
   */
  lastOffsetDelta?: number;
}

export interface DecodedBatch {
  header: RecordBatchHeader;
  /** Byte position of the batch in the decoded buffer. */
  position: number;
  sizeBytes: number;
  compression: CompressionCodec;
  records: DecodedRecord[];
}

export interface DecodeRecordBatchesOptions extends DecompressOptions {
  /** Default true; false skips the CRC check (e.g. a tool inspecting a damaged log). */
  verifyCrc?: boolean;
}

/** Smallest encoded record (7 one-byte fields): bounds recordCount before allocating. */
const RECORD_BYTES_MIN = 7;

export function encodeRecordBatchSync(options: EncodeRecordBatchOptions): Buffer {
  const plan = planBatch(options);
  if (plan.codec === 'none') return finishBatch(options, plan, null);
  const payload = compressSync(plan.codec, encodeRecords(options.records, plan), compressOptions(options));
  return finishBatch(options, plan, payload);
}

export async function encodeRecordBatch(options: EncodeRecordBatchOptions): Promise<Buffer> {
  const plan = planBatch(options);
  if (plan.codec === 'none') return finishBatch(options, plan, null);
  const payload = await compress(plan.codec, encodeRecords(options.records, plan), compressOptions(options));
  return finishBatch(options, plan, payload);
}

export function decodeRecordBatchesSync(buf: Buffer, options: DecodeRecordBatchesOptions = {}): DecodedBatch[] {
  return frameBatches(buf, options).map((framed) => {
    try {
      return decodeRecords(framed, decompressSync(framed.compression, framed.payload, decompressOptions(options)));
    } catch (cause) {
      throw asDecodeError(framed, cause);
    }
  });
}

export async function decodeRecordBatches(
  buf: Buffer,
  options: DecodeRecordBatchesOptions = {},
): Promise<DecodedBatch[]> {
  const out: DecodedBatch[] = [];
  for (const framed of frameBatches(buf, options)) {
    try {
      out.push(decodeRecords(framed, await decompress(framed.compression, framed.payload, decompressOptions(options))));
    } catch (cause) {
      throw asDecodeError(framed, cause);
    }
  }
  return out;
}

interface BatchPlan {
  codec: CompressionCodec;
  offsetDeltas: number[];
  timestampDeltas: bigint[];
  recordsBytes: number;
  lastOffsetDelta: number;
  maxTimestampDelta: bigint;
}

function planBatch(options: EncodeRecordBatchOptions): BatchPlan {
  const offsetDeltas: number[] = [];
  const timestampDeltas: bigint[] = [];
  let recordsBytes = 0;
  let previousOffsetDelta = -1;
  let maxTimestampDelta = 0n;
  options.records.forEach((record, index) => {
    const offsetDelta = record.offsetDelta ?? index;
    const timestampDelta = record.timestampDelta ?? 0n;
    assert(Number.isInteger(offsetDelta) && offsetDelta > previousOffsetDelta, 'offsetDelta must increase');
    previousOffsetDelta = offsetDelta;
    if (index === 0 || timestampDelta > maxTimestampDelta) maxTimestampDelta = timestampDelta;
    offsetDeltas.push(offsetDelta);
    timestampDeltas.push(timestampDelta);
    recordsBytes += encodedRecordSize(record, offsetDelta, timestampDelta);
  });
  const lastOffsetDelta = options.lastOffsetDelta ?? previousOffsetDelta;
  assert(lastOffsetDelta >= previousOffsetDelta, 'lastOffsetDelta below the last record');
  return {
    codec: options.compression ?? 'none',
    offsetDeltas,
    timestampDeltas,
    recordsBytes,
    lastOffsetDelta,
    maxTimestampDelta,
  };
}

function encodeRecords(records: KafkaRecord[], plan: BatchPlan, into?: Buffer, start = 0): Buffer {
  const buf = into ?? Buffer.allocUnsafe(plan.recordsBytes);
  let pos = start;
  records.forEach((record, i) => {
    pos = writeRecord(buf, pos, record, plan.offsetDeltas[i] ?? i, plan.timestampDeltas[i] ?? 0n);
  });
  assert(pos === start + plan.recordsBytes, 'record sizing and writing disagree');
  return buf;
}

/** Writes header + payload; with `payload` null, records are written uncompressed straight into the batch. */
function finishBatch(options: EncodeRecordBatchOptions, plan: BatchPlan, payload: Buffer | null): Buffer {
  const payloadBytes = payload === null ? plan.recordsBytes : payload.length;
  const sizeBytes = RECORD_BATCH_HEADER_BYTES + payloadBytes;
  const buf = Buffer.allocUnsafe(sizeBytes);
  if (payload === null) encodeRecords(options.records, plan, buf, RECORDS_OFFSET);
  else payload.copy(buf, RECORDS_OFFSET);

  const baseTimestamp = options.baseTimestamp ?? BigInt(Date.now());
  let attributes = codecId(plan.codec);
  if (options.transactional === true) attributes |= ATTRIBUTE_TRANSACTIONAL;
  if (options.control === true) attributes |= ATTRIBUTE_CONTROL;
  buf.writeBigInt64BE(options.baseOffset ?? 0n, BASE_OFFSET_OFFSET);
  buf.writeInt32BE(sizeBytes - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  buf.writeInt32BE(options.partitionLeaderEpoch ?? -1, PARTITION_LEADER_EPOCH_OFFSET);
  buf.writeInt8(CURRENT_MAGIC, MAGIC_OFFSET);
  buf.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
  buf.writeInt32BE(plan.lastOffsetDelta, LAST_OFFSET_DELTA_OFFSET);
  buf.writeBigInt64BE(baseTimestamp, BASE_TIMESTAMP_OFFSET);
  buf.writeBigInt64BE(baseTimestamp + plan.maxTimestampDelta, MAX_TIMESTAMP_OFFSET);
  buf.writeBigInt64BE(options.producerId ?? NO_PRODUCER_ID, PRODUCER_ID_OFFSET);
  buf.writeInt16BE(options.producerEpoch ?? -1, PRODUCER_EPOCH_OFFSET);
  buf.writeInt32BE(options.baseSequence ?? -1, BASE_SEQUENCE_OFFSET);
  buf.writeInt32BE(options.records.length, RECORD_COUNT_OFFSET);
  writeBatchCrc(buf, 0, sizeBytes);
  return buf;
}

function compressOptions(options: EncodeRecordBatchOptions): { snappyFraming?: 'raw' | 'xerial' } {
  return options.snappyFraming === undefined ? {} : { snappyFraming: options.snappyFraming };
}

function decompressOptions(options: DecodeRecordBatchesOptions): DecompressOptions {
  return options.outputBytesMax === undefined ? {} : { outputBytesMax: options.outputBytesMax };
}

interface FramedBatch {
  header: RecordBatchHeader;
  position: number;
  sizeBytes: number;
  compression: CompressionCodec;
  /** View of the (possibly compressed) records. */
  payload: Buffer;
}

/** Splits `buf` into whole, checked batches, dropping a partial one at the end. */
function frameBatches(buf: Buffer, options: DecodeRecordBatchesOptions): FramedBatch[] {
  const out: FramedBatch[] = [];
  let pos = 0;
  while (buf.length - pos > MAGIC_OFFSET) {
    const magic = buf.readInt8(pos + MAGIC_OFFSET);
    if (magic !== CURRENT_MAGIC) throw new RecordBatchDecodeError('unsupported_magic', `magic ${magic} at byte ${pos}`);
    const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    if (batchLength < RECORD_BATCH_HEADER_BYTES - LOG_OVERHEAD) {
      throw new RecordBatchDecodeError('corrupt_message', `batchLength ${batchLength} at byte ${pos}`);
    }
    const sizeBytes = LOG_OVERHEAD + batchLength;
    if (sizeBytes > buf.length - pos) break;
    const header = readBatchHeader(buf, pos);
    if (options.verifyCrc !== false && crc32c(buf.subarray(pos + CRC_COVERED_FROM, pos + sizeBytes)) !== header.crc) {
      throw new RecordBatchDecodeError('corrupt_message', `CRC mismatch in batch at byte ${pos}`);
    }
    const compression = codecFromId(compressionOf(header.attributes));
    if (compression === undefined) {
      throw new RecordBatchDecodeError(
        'unsupported_compression',
        `codec ${compressionOf(header.attributes)} at byte ${pos}`,
      );
    }
    if (header.recordCount < 0) throw new RecordBatchDecodeError('invalid_record', `recordCount ${header.recordCount}`);
    out.push({
      header,
      position: pos,
      sizeBytes,
      compression,
      payload: buf.subarray(pos + RECORDS_OFFSET, pos + sizeBytes),
    });
    pos += sizeBytes;
  }
  return out;
}

function decodeRecords(framed: FramedBatch, records: Buffer): DecodedBatch {
  const { header } = framed;
  if (header.recordCount * RECORD_BYTES_MIN > records.length) {
    throw new RecordBatchDecodeError(
      'invalid_record',
      `recordCount ${header.recordCount} cannot fit ${records.length} bytes`,
    );
  }
  // LogAppendTime batches carry the broker's time in maxTimestamp; it is every record's timestamp.
  const logAppendTime = timestampType(header.attributes) === 'log_append_time';
  const reader = new RecordReader(records);
  const decoded: DecodedRecord[] = [];
  for (let i = 0; i < header.recordCount; i++) {
    const record = readRecord(reader, header.baseOffset, header.baseTimestamp);
    if (logAppendTime) record.timestamp = header.maxTimestamp;
    decoded.push(record);
  }
  if (reader.remaining() !== 0) reader.fail(`${reader.remaining()} bytes after the last record`);
  return {
    header,
    position: framed.position,
    sizeBytes: framed.sizeBytes,
    compression: framed.compression,
    records: decoded,
  };
}

function asDecodeError(framed: FramedBatch, cause: unknown): RecordBatchDecodeError {
  if (cause instanceof RecordBatchDecodeError) return cause;
  if (cause instanceof CompressionError) {
    return new RecordBatchDecodeError('corrupt_message', `batch at byte ${framed.position}: ${cause.message}`, {
      cause,
    });
  }
  throw cause;
}
