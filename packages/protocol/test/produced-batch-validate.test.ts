import { gzipSync } from 'node:zlib';
import { Random } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import type { CompressionCodec, KafkaRecord, ProducedBatchContext } from '../src/records/index.ts';
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTE_TIMESTAMP_TYPE,
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  compressSync,
  encodeRecordBatchSync,
  LAST_OFFSET_DELTA_OFFSET,
  MAGIC_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
  RECORDS_OFFSET,
  RecordStreamCheck,
  validateProducedBatch,
  validateProducedBatchSync,
  writeBatchCrc,
} from '../src/records/index.ts';

const now = 1_700_000_000_000;

const context: ProducedBatchContext = {
  apiVersion: 9,
  nowMs: now,
  timestampType: 'CreateTime',
  timestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  timestampAfterMaxMs: 3_600_000,
  compacted: false,
  decompressedBytesMax: 1024 * 1024,
};

function records(count: number): KafkaRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    key: Buffer.from(`key-${i}`),
    value: Buffer.from(`value-${i}`.repeat(4)),
    headers: [{ key: 'h', value: Buffer.from([i & 0xff]) }],
  }));
}

function batch(count: number, compression: CompressionCodec = 'none', extra: Partial<KafkaRecord>[] = []): Buffer {
  const rs = records(count).map((r, i) => ({ ...r, ...extra[i] }));
  return encodeRecordBatchSync({ baseTimestamp: BigInt(now), compression, records: rs });
}

/** A batch header around any payload, with a correct CRC: what a hostile client can send. */
function rawBatch(payload: Buffer, options: { codec?: number; recordCount: number; lastOffsetDelta?: number }): Buffer {
  const template = batch(1);
  const out = Buffer.alloc(RECORDS_OFFSET + payload.length);
  template.copy(out, 0, 0, RECORDS_OFFSET);
  payload.copy(out, RECORDS_OFFSET);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt16BE(options.codec ?? 0, ATTRIBUTES_OFFSET);
  out.writeInt32BE(options.recordCount, RECORD_COUNT_OFFSET);
  out.writeInt32BE(options.lastOffsetDelta ?? options.recordCount - 1, LAST_OFFSET_DELTA_OFFSET);
  writeBatchCrc(out, 0, out.length);
  return out;
}

/** Edits a header field and fixes the CRC, as a client would send it. */
function edited(buf: Buffer, edit: (b: Buffer) => void): Buffer {
  const out = Buffer.from(buf);
  edit(out);
  writeBatchCrc(out, 0, out.length);
  return out;
}

async function verdict(bytes: Buffer, overrides: Partial<ProducedBatchContext> = {}) {
  return validateProducedBatch(bytes, { ...context, ...overrides });
}

describe('validateProducedBatch', () => {
  it.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const)('accepts a well-formed %s batch', async (codec) => {
    const result = await verdict(batch(50, codec));
    expect(result).toMatchObject({ ok: true, batch: { recordCount: 50, lastOffsetDelta: 49 } });
  });

  it('refuses a compressed batch claiming 2^31-1 records before inflating it (INVALID_RECORD)', async () => {
    const body = batch(3, 'gzip').subarray(RECORDS_OFFSET);
    const result = await verdict(rawBatch(body, { codec: 1, recordCount: 0x7fffffff }));
    expect(result).toMatchObject({ ok: false, error: 'invalid_record' });
    expect(result.ok || result.message).toMatch(/declares 2147483647 records/);
  });

  it('refuses a compressed batch that claims more records than it holds', async () => {
    const body = batch(3, 'zstd').subarray(RECORDS_OFFSET);
    const result = await verdict(rawBatch(body, { codec: 4, recordCount: 5 }));
    expect(result).toMatchObject({ ok: false, error: 'invalid_record' });
    expect(result.ok || result.message).toMatch(/declares 5 records but holds 3/);
  });

  it('refuses an uncompressed batch that holds more records than it claims', async () => {
    const body = batch(4).subarray(RECORDS_OFFSET);
    const result = await verdict(rawBatch(body, { recordCount: 2 }));
    expect(result).toMatchObject({ ok: false, error: 'invalid_record' });
    expect(result.ok || result.message).toMatch(/bytes remain after the 2 records/);
  });

  it('refuses a gzip bomb (one record, then megabytes of zeros) without inflating past its bound', async () => {
    const one = batch(1).subarray(RECORDS_OFFSET);
    const bomb = gzipSync(Buffer.concat([one, Buffer.alloc(8 * 1024 * 1024)]));
    const result = await verdict(rawBatch(bomb, { codec: 1, recordCount: 1 }));
    expect(result).toMatchObject({ ok: false, error: 'invalid_record' });
  });

  it('refuses a record longer than batch.decompressed.max.bytes before inflating it', async () => {
    const big = encodeRecordBatchSync({
      baseTimestamp: BigInt(now),
      compression: 'zstd',
      records: [{ key: Buffer.from('k'), value: Buffer.alloc(2 * 1024 * 1024) }],
    });
    const result = await verdict(big);
    expect(result).toMatchObject({ ok: false, error: 'invalid_record' });
    expect(result.ok || result.message).toMatch(/exceeds the batch's bound of 1048576/);
    expect(await verdict(big, { decompressedBytesMax: 4 * 1024 * 1024 })).toMatchObject({ ok: true });
  });

  it('refuses lz4 and snappy payloads whose headers promise more than the bound', async () => {
    for (const codec of ['lz4', 'snappy'] as const) {
      const big = encodeRecordBatchSync({
        baseTimestamp: BigInt(now),
        compression: codec,
        records: [{ key: Buffer.from('k'), value: Buffer.alloc(3 * 1024 * 1024) }],
      });
      expect(await verdict(big)).toMatchObject({ ok: false, error: 'invalid_record' });
    }
  });

  it('refuses a compressed payload that does not decode (CORRUPT_MESSAGE)', async () => {
    for (const codec of [1, 2, 3, 4]) {
      const result = await verdict(rawBatch(Buffer.from('definitely not compressed data'), { codec, recordCount: 1 }));
      expect(result).toMatchObject({ ok: false, error: 'corrupt_message' });
    }
  });

  it('refuses a control batch from a client', async () => {
    const control = edited(batch(1), (b) => b.writeInt16BE(ATTRIBUTE_CONTROL, ATTRIBUTES_OFFSET));
    expect(await verdict(control)).toMatchObject({ ok: false, error: 'invalid_record' });
  });

  it('refuses two batches for one partition in a v3+ request', async () => {
    const result = await verdict(Buffer.concat([batch(1), batch(1)]));
    expect(result).toMatchObject({ ok: false, error: 'invalid_record' });
    expect(result.ok || result.message).toMatch(/exactly one record batch/);
  });

  it('answers magic 1 with INVALID_RECORD in v3+ and anything in v0-2 with UNSUPPORTED_FOR_MESSAGE_FORMAT', async () => {
    const magic1 = edited(batch(1), (b) => b.writeInt8(1, MAGIC_OFFSET));
    expect(await verdict(magic1)).toMatchObject({ ok: false, error: 'invalid_record' });
    expect(await verdict(batch(1), { apiVersion: 2 })).toMatchObject({
      ok: false,
      error: 'unsupported_for_message_format',
    });
  });

  it('refuses a CRC mismatch, a non-zero base offset, a bad producer sequence and zstd before v7', async () => {
    const crc = Buffer.from(batch(2));
    crc[crc.length - 1] = (crc[crc.length - 1] ?? 0) ^ 1;
    expect(await verdict(crc)).toMatchObject({ ok: false, error: 'corrupt_message' });
    const offset = edited(batch(1), (b) => b.writeBigInt64BE(5n, BASE_OFFSET_OFFSET));
    expect(await verdict(offset)).toMatchObject({ ok: false, error: 'invalid_record' });
    const sequence = edited(batch(1), (b) => {
      b.writeBigInt64BE(7n, PRODUCER_ID_OFFSET);
      b.writeInt32BE(-1, BASE_SEQUENCE_OFFSET);
    });
    expect(await verdict(sequence)).toMatchObject({ ok: false, error: 'invalid_record' });
    expect(await verdict(batch(1, 'zstd'), { apiVersion: 6 })).toMatchObject({
      ok: false,
      error: 'unsupported_compression_type',
    });
  });

  it('refuses an empty batch and a last offset delta that disagrees with the count', async () => {
    const empty = rawBatch(Buffer.alloc(0), { recordCount: 0, lastOffsetDelta: -1 });
    expect(await verdict(empty)).toMatchObject({ ok: false, error: 'invalid_record' });
    const delta = edited(batch(3), (b) => b.writeInt32BE(5, LAST_OFFSET_DELTA_OFFSET));
    expect(await verdict(delta)).toMatchObject({ ok: false, error: 'invalid_record' });
  });

  it('refuses record offset deltas other than 0..n-1 (Runnel stores batches unrewritten)', async () => {
    const encoded = encodeRecordBatchSync({
      baseTimestamp: BigInt(now),
      records: records(2).map((r, i) => ({ ...r, offsetDelta: i * 2 })),
    });
    // The header agrees with the count; only the records' own deltas skip one.
    const gaps = edited(encoded, (b) => b.writeInt32BE(1, LAST_OFFSET_DELTA_OFFSET));
    const result = await verdict(gaps);
    expect(result).toMatchObject({ ok: false, error: 'invalid_record' });
    expect(result.ok || result.message).toMatch(/offset delta 2, expected 1/);
  });

  it('refuses keyless records for a compacted topic with a record error for each', async () => {
    const keyless = batch(3, 'gzip', [{}, { key: null }, { key: null }]);
    expect(await verdict(keyless)).toMatchObject({ ok: true });
    const result = await verdict(keyless, { compacted: true });
    expect(result).toMatchObject({ ok: false, error: 'invalid_record' });
    expect(result.ok || result.recordErrors.map((e) => e.batchIndex)).toEqual([1, 2]);
  });

  it('checks CreateTime timestamps against message.timestamp.before/after.max.ms (INVALID_TIMESTAMP)', async () => {
    const future = batch(2, 'none', [{}, { timestampDelta: 7_200_000n }]);
    const result = await verdict(future);
    expect(result).toMatchObject({ ok: false, error: 'invalid_timestamp' });
    expect(result.ok || result.recordErrors.map((e) => e.batchIndex)).toEqual([1]);
    expect(await verdict(future, { timestampAfterMaxMs: 7_200_000 })).toMatchObject({ ok: true });
    expect(await verdict(future, { timestampType: 'LogAppendTime' })).toMatchObject({ ok: true });
    const old = batch(1);
    expect(await verdict(old, { nowMs: now + 10_000, timestampBeforeMaxMs: 5_000 })).toMatchObject({
      error: 'invalid_timestamp',
    });
    const appendTime = edited(batch(1), (b) => b.writeInt16BE(ATTRIBUTE_TIMESTAMP_TYPE, ATTRIBUTES_OFFSET));
    expect(await verdict(appendTime)).toMatchObject({ ok: false, error: 'invalid_timestamp' });
  });

  it('never throws on random damage to valid batches of every codec (seeded)', async () => {
    const random = new Random(15);
    const seeds = (['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const).map((c) => batch(5, c));
    for (let i = 0; i < 1500; i++) {
      const base = seeds[i % seeds.length] ?? batch(1);
      const bytes = Buffer.from(base);
      const flips = random.int(1, 4);
      for (let f = 0; f < flips; f++) bytes[random.int(0, bytes.length - 1)] = random.int(0, 255);
      // Half keep a valid CRC so the record walk, not the CRC, meets the damage.
      if (random.bool()) writeBatchCrc(bytes, 0, Math.min(bytes.length, 12 + Math.max(0, bytes.readInt32BE(8))));
      const result = await validateProducedBatch(bytes, context);
      expect(typeof result.ok).toBe('boolean');
      // The synchronous variant reaches the same verdict, refusal and message.
      expect(validateProducedBatchSync(bytes, context)).toEqual(result);
    }
  });
});

describe('RecordStreamCheck', () => {
  it('reaches the same verdict whatever the chunk boundaries', () => {
    const payload = compressSync('none', batch(20).subarray(RECORDS_OFFSET));
    const rules = { recordCount: 20, baseTimestamp: now, keyRequired: true, timestampRange: null, bytesMax: 1 << 20 };
    const whole = new RecordStreamCheck(rules);
    whole.push(payload);
    expect(whole.end()).toBe(true);
    const bytewise = new RecordStreamCheck(rules);
    for (const byte of payload) bytewise.push(Buffer.from([byte]));
    expect(bytewise.end()).toBe(true);
    const cut = new RecordStreamCheck(rules);
    cut.push(payload.subarray(0, payload.length - 3));
    expect(cut.end()).toBe(false);
    expect(cut.failure).toMatch(/holds 19 \(the last one cut short\)/);
  });

  it('the in-place fast path and the byte-wise path agree on damaged payloads (seeded)', () => {
    const random = new Random(7);
    const payload = batch(12, 'none', [{ key: null }, {}, { timestampDelta: 9_000_000n }]).subarray(RECORDS_OFFSET);
    const rules = {
      recordCount: 12,
      baseTimestamp: now,
      keyRequired: true,
      timestampRange: { min: now - 1000, max: now + 3_600_000 },
      bytesMax: payload.length,
    };
    for (let i = 0; i < 2000; i++) {
      const damaged = Buffer.from(payload);
      const flips = random.int(0, 3);
      for (let f = 0; f < flips; f++) damaged[random.int(0, damaged.length - 1)] = random.int(0, 255);
      const whole = new RecordStreamCheck(rules);
      whole.push(damaged);
      const wholeOk = whole.end();
      const bytewise = new RecordStreamCheck(rules);
      for (const byte of damaged) bytewise.push(Buffer.from([byte]));
      expect(bytewise.end()).toBe(wholeOk);
      expect(bytewise.failure).toBe(whole.failure);
      expect(bytewise.recordErrors).toEqual(whole.recordErrors);
    }
  });
});
