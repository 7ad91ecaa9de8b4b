import { Random } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import type { BatchValidationError, CompressionCodec } from '../src/records/index.ts';
import {
  decodeRecordBatchesSync,
  encodeRecordBatchSync,
  RecordBatchDecodeError,
  readBatchHeader,
  scanLogBatches,
  validateRecordBatches,
  writeBaseOffset,
  writeBatchCrc,
  writePartitionLeaderEpoch,
} from '../src/records/index.ts';

function batch(count: number, compression: CompressionCodec = 'none', baseOffset = 0n): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({
    key: Buffer.from(`key-${i}`),
    value: Buffer.from(`value-${i}`.repeat(5)),
    headers: [{ key: 'trace', value: Buffer.from([i & 0xff]) }],
  }));
  return encodeRecordBatchSync({ baseOffset, baseTimestamp: 1_000n, compression, records });
}

function validationError(buf: Buffer): BatchValidationError | 'ok' {
  const result = validateRecordBatches(buf);
  return result.ok ? 'ok' : result.error;
}

describe('validateRecordBatches (produce path)', () => {
  it('accepts concatenated batches of every codec and sums records and bytes', () => {
    const parts = (['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const).map((codec, i) => batch(i + 1, codec));
    const result = validateRecordBatches(Buffer.concat(parts));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.recordCount).toBe(15);
    expect(result.value.bytes).toBe(parts.reduce((n, p) => n + p.length, 0));
    expect(result.value.batches.map((b) => b.recordCount)).toEqual([1, 2, 3, 4, 5]);
    expect(result.value.batches[1]).toMatchObject({
      position: parts[0]?.length,
      lastOffsetDelta: 1,
      baseTimestamp: 1_000n,
    });
  });

  it('a flipped CRC byte is corrupt_message', () => {
    const buf = batch(3);
    buf[18] = (buf[18] ?? 0) ^ 0x01;
    expect(validationError(buf)).toBe('corrupt_message');
  });

  it('a flipped payload byte is corrupt_message', () => {
    const buf = batch(3);
    buf[buf.length - 5] = (buf[buf.length - 5] ?? 0) ^ 0x80;
    expect(validationError(buf)).toBe('corrupt_message');
  });

  it('a truncated batch is corrupt_message: a produce request never carries a partial batch', () => {
    const buf = Buffer.concat([batch(2), batch(2)]);
    for (const cut of [1, 12, 16, 17, 60, 61, 80])
      expect(validationError(buf.subarray(0, buf.length - cut))).toBe('corrupt_message');
  });

  it('magic 0 or 1 (old message formats) is unsupported_magic', () => {
    for (const magic of [0, 1]) {
      const buf = batch(1);
      buf[16] = magic;
      expect(validationError(buf)).toBe('unsupported_magic');
    }
  });

  it('an impossible batchLength (below the header size, negative, or past the end) is corrupt_message', () => {
    for (const length of [0, 48, -1, 0x7fffffff]) {
      const buf = batch(1);
      buf.writeInt32BE(length, 8);
      expect(validationError(buf)).toBe('corrupt_message');
    }
  });

  it('lastOffsetDelta other than recordCount - 1 is invalid_record', () => {
    const buf = batch(3);
    buf.writeInt32BE(5, 23);
    writeBatchCrc(buf, 0, buf.length);
    expect(validationError(buf)).toBe('invalid_record');
  });

  it('a negative recordCount, or more records than the bytes can hold, is invalid_record', () => {
    for (const count of [-1, 1_000_000]) {
      const buf = batch(3);
      buf.writeInt32BE(count, 57);
      buf.writeInt32BE(count - 1, 23);
      writeBatchCrc(buf, 0, buf.length);
      expect(validationError(buf)).toBe('invalid_record');
    }
  });

  it('codec ids 5-7 are unsupported_compression', () => {
    const buf = batch(1);
    buf.writeInt16BE(6, 21);
    writeBatchCrc(buf, 0, buf.length);
    expect(validationError(buf)).toBe('unsupported_compression');
  });

  it('an empty records field is invalid_record', () => {
    expect(validationError(Buffer.alloc(0))).toBe('invalid_record');
  });

  it('stamping baseOffset and partitionLeaderEpoch in place leaves the CRC valid and changes no other byte', () => {
    const buf = batch(4);
    const before = Buffer.from(buf);
    writeBaseOffset(buf, 0, 123_456_789_012n);
    writePartitionLeaderEpoch(buf, 0, 17);
    expect(validationError(buf)).toBe('ok');
    expect(readBatchHeader(buf)).toMatchObject({ baseOffset: 123_456_789_012n, partitionLeaderEpoch: 17 });
    expect(buf.subarray(16).equals(before.subarray(16))).toBe(true);
    expect(decodeRecordBatchesSync(buf)[0]?.records[3]?.offset).toBe(123_456_789_015n);
  });
});

describe('scanLogBatches (recovery and reads)', () => {
  it('a clean log scans to the end with no reason', () => {
    const log = Buffer.concat([batch(2, 'none', 0n), batch(3, 'gzip', 2n)]);
    const scan = scanLogBatches(log);
    expect(scan).toMatchObject({ validBytes: log.length });
    expect(scan.reason).toBeUndefined();
    expect(scan.batches).toHaveLength(2);
  });

  it('a torn tail stops at the last whole batch with reason torn', () => {
    const first = batch(2);
    const log = Buffer.concat([first, batch(3, 'none', 2n)]);
    for (const cut of [1, 20, 70]) {
      const scan = scanLogBatches(log.subarray(0, log.length - cut));
      expect(scan).toMatchObject({ validBytes: first.length, reason: 'torn', batches: [{ recordCount: 2 }] });
    }
    expect(scanLogBatches(log.subarray(0, first.length + 5))).toMatchObject({
      validBytes: first.length,
      reason: 'torn',
    });
  });

  it('a damaged middle batch stops the scan before it with reason corrupt', () => {
    const first = batch(2);
    const second = batch(3, 'none', 2n);
    second[second.length - 1] = (second[second.length - 1] ?? 0) ^ 0xff;
    const scan = scanLogBatches(Buffer.concat([first, second, batch(1, 'none', 5n)]));
    expect(scan).toMatchObject({ validBytes: first.length, reason: 'corrupt' });
  });

  it('an empty batch left by compaction (recordCount 0, lastOffsetDelta kept) is valid in a log', () => {
    const empty = encodeRecordBatchSync({ baseTimestamp: 0n, records: [], lastOffsetDelta: 4 });
    expect(scanLogBatches(empty)).toMatchObject({
      validBytes: empty.length,
      batches: [{ recordCount: 0, lastOffsetDelta: 4 }],
    });
  });
});

describe('fuzz: mutated batches', () => {
  it('validate and scan never throw, and decode only throws RecordBatchDecodeError', () => {
    const random = new Random(0xf022);
    const seeds = [batch(3), batch(5, 'gzip'), batch(4, 'snappy'), batch(2, 'lz4'), batch(6, 'zstd')];
    for (let i = 0; i < 3000; i++) {
      const buf = Buffer.from(random.pick(seeds));
      const mutations = random.int(1, 4);
      for (let m = 0; m < mutations; m++) buf[random.int(0, buf.length - 1)] = random.int(0, 255);
      // Half the time fix the CRC up, so the mutation reaches the checks and decoders behind it.
      if (random.bool() && buf.length >= 61 && buf.readInt32BE(8) + 12 === buf.length)
        writeBatchCrc(buf, 0, buf.length);
      const input = random.bool(0.2) ? buf.subarray(0, random.int(0, buf.length)) : buf;
      const validation = validateRecordBatches(input);
      const scan = scanLogBatches(input);
      expect(scan.validBytes).toBeLessThanOrEqual(input.length);
      if (validation.ok) expect(scan.validBytes).toBe(input.length);
      try {
        decodeRecordBatchesSync(input, { outputBytesMax: 1 << 20 });
      } catch (error) {
        if (!(error instanceof RecordBatchDecodeError)) throw error;
      }
    }
  });
});
