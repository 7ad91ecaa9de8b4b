/**
 * The one record batch the load generator sends over and over, built once
 * before the clock starts, and the batch-header walk both sides use to count
 * what came back. Nothing here runs per record while a measurement runs.
 */
import { assert } from '@runnel/common';
import { encodeRecordBatchSync, type KafkaRecord, RECORD_BATCH_HEADER_BYTES } from '@runnel/protocol';

/** Byte offsets in a v2 batch header (Kafka's DefaultRecordBatch layout). */
const BASE_OFFSET_AT = 0;
const BATCH_LENGTH_AT = 8;
const RECORD_COUNT_AT = 57;
const LOG_OVERHEAD_BYTES = 12;

export interface PreparedBatch {
  /** A whole v2 batch: uncompressed, not idempotent, baseOffset 0. */
  bytes: Buffer;
  recordCount: number;
}

/**
 * The largest batch of `recordBytes`-sized values (null keys) that fits in
 * `batchBytesMax`. Values are pseudo-random so the bytes are not trivially
 * compressible anywhere along the way.
 */
export function prepareBatch(batchBytesMax: number, recordBytes: number): PreparedBatch {
  const value = Buffer.allocUnsafe(recordBytes);
  let x = 0x9e3779b9;
  for (let i = 0; i < value.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    value[i] = x & 0xff;
  }
  // Each record costs its value plus at most 12 bytes of varints and attributes.
  let count = Math.max(1, Math.floor((batchBytesMax - RECORD_BATCH_HEADER_BYTES) / (recordBytes + 5)) + 1);
  for (;;) {
    const records: KafkaRecord[] = Array.from({ length: count }, () => ({ key: null, value }));
    const bytes = encodeRecordBatchSync({ records, compression: 'none', baseTimestamp: BigInt(Date.now()) });
    if (bytes.length <= batchBytesMax || count === 1) return { bytes, recordCount: count };
    count--;
  }
}

export interface BatchWalk {
  batches: number;
  records: number;
  /** baseOffset of the first batch, or -1n when there is none. */
  firstBaseOffset: bigint;
  /** Bytes covered by whole batches; a fetch may end in a partial one. */
  wholeBytes: number;
}

/** Walks concatenated batches by their headers only. */
export function walkBatches(records: Buffer): BatchWalk {
  let pos = 0;
  let batches = 0;
  let count = 0;
  while (pos + RECORD_BATCH_HEADER_BYTES <= records.length) {
    const size = LOG_OVERHEAD_BYTES + records.readInt32BE(pos + BATCH_LENGTH_AT);
    assert(size >= RECORD_BATCH_HEADER_BYTES, `batch at byte ${pos} declares size ${size}`);
    if (pos + size > records.length) break;
    count += records.readInt32BE(pos + RECORD_COUNT_AT);
    batches++;
    pos += size;
  }
  const firstBaseOffset = batches > 0 ? records.readBigInt64BE(BASE_OFFSET_AT) : -1n;
  return { batches, records: count, firstBaseOffset, wholeBytes: pos };
}
