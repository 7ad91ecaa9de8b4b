/**
 * Record batches a hostile client sends: well-formed headers (CRC included,
 * so only the broker's deeper checks can refuse them) around lying counts,
 * payloads that do not decode, and decompression bombs. Built with the
 * protocol package's encoder, then edited the way an attacker would.
 */
import { gzipSync } from 'node:zlib';
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  encodeRecordBatchSync,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  RECORD_COUNT_OFFSET,
  RECORDS_OFFSET,
  writeBatchCrc,
} from '@runnel/protocol';

const GZIP = 1;

/** An ordinary uncompressed batch of `count` keyed records. */
export function plainBatch(count: number, valuePrefix = 'v'): Buffer {
  return encodeRecordBatchSync({
    records: Array.from({ length: count }, (_, i) => ({
      key: Buffer.from(`k${i}`),
      value: Buffer.from(`${valuePrefix}-${i}`),
    })),
  });
}

/** A v2 header around `payload` with the given attributes and counts, its length and CRC made right. */
export function withPayload(
  payload: Buffer,
  fields: { attributes: number; recordCount: number; lastOffsetDelta?: number },
): Buffer {
  const out = Buffer.alloc(RECORDS_OFFSET + payload.length);
  plainBatch(1).copy(out, 0, 0, RECORDS_OFFSET);
  payload.copy(out, RECORDS_OFFSET);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  out.writeInt16BE(fields.attributes, ATTRIBUTES_OFFSET);
  out.writeInt32BE(fields.recordCount, RECORD_COUNT_OFFSET);
  out.writeInt32BE(fields.lastOffsetDelta ?? fields.recordCount - 1, LAST_OFFSET_DELTA_OFFSET);
  writeBatchCrc(out, 0, out.length);
  return out;
}

/** The attack: a gzip batch of 3 real records whose header claims 2^31-1. */
export function countClaimBatch(): Buffer {
  const records = plainBatch(3).subarray(RECORDS_OFFSET);
  return withPayload(gzipSync(records), { attributes: GZIP, recordCount: 0x7fffffff });
}

/** A client-written transaction marker (control batch). */
export function controlBatch(): Buffer {
  const out = Buffer.from(plainBatch(1));
  out.writeInt16BE(ATTRIBUTE_CONTROL, ATTRIBUTES_OFFSET);
  writeBatchCrc(out, 0, out.length);
  return out;
}

/** A gzip-flagged batch whose payload is not gzip. */
export function undecodableBatch(): Buffer {
  return withPayload(Buffer.from('this is not a gzip stream, whatever the header says'), {
    attributes: GZIP,
    recordCount: 1,
  });
}

/**
 * A decompression bomb: one real record followed by `inflatedBytes` of
 * zeros, gzip-compressed at ratio ~1000:1 (100 MiB becomes ~100 KB).
 */
export function gzipBomb(inflatedBytes: number): Buffer {
  const record = plainBatch(1).subarray(RECORDS_OFFSET);
  const zeros = Buffer.alloc(inflatedBytes - record.length);
  return withPayload(gzipSync(Buffer.concat([record, zeros]), { level: 9 }), { attributes: GZIP, recordCount: 1 });
}

/** A consistent bomb: one record whose value is `valueBytes` of zeros, gzip-compressed. */
export function gzipBigRecord(valueBytes: number): Buffer {
  return encodeRecordBatchSync({
    compression: 'gzip',
    records: [{ key: Buffer.from('k'), value: Buffer.alloc(valueBytes) }],
  });
}
