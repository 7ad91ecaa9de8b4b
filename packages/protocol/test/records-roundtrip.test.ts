import { Random } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import type { CompressionCodec, DecodedRecord, KafkaRecord } from '../src/records/index.ts';
import {
  compressionOf,
  decodeRecordBatches,
  decodeRecordBatchesSync,
  encodeRecordBatch,
  encodeRecordBatchSync,
  isTransactional,
  RecordBatchDecodeError,
  readBatchHeader,
  validateRecordBatches,
  writeLogAppendTime,
} from '../src/records/index.ts';

const codecs: CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

function randomValue(random: Random): Buffer | null {
  const shape = random.int(0, 9);
  if (shape === 0) return null;
  if (shape === 1) return Buffer.alloc(0);
  if (shape === 2) return random.bytes(random.int(10_000, 200_000));
  return random.bytes(random.int(1, 300));
}

function randomRecords(random: Random, count: number): KafkaRecord[] {
  const records: KafkaRecord[] = [];
  let offsetDelta = 0;
  for (let i = 0; i < count; i++) {
    const headerCount = random.pick([0, 1, 3, 40]);
    const headers = Array.from({ length: headerCount }, (_, h) => ({
      key: random.bool() ? `h-${h}-${random.int(0, 1e6)}` : `ключ-${h}-✓`,
      value: random.bool(0.2) ? null : random.bytes(random.int(0, 64)),
    }));
    // Gaps in offsetDelta, as compaction leaves them; negative and 64-bit timestamp deltas too.
    offsetDelta += random.int(1, 3);
    const timestampDelta = random.pick([0n, -5n, BigInt(random.int(0, 1_000_000)), 1n << 40n, -(1n << 35n)]);
    records.push({ key: randomValue(random), value: randomValue(random), headers, offsetDelta, timestampDelta });
  }
  return records;
}

function expectSameRecords(
  decoded: DecodedRecord[],
  input: KafkaRecord[],
  baseOffset: bigint,
  baseTimestamp: bigint,
): void {
  expect(decoded).toHaveLength(input.length);
  decoded.forEach((record, i) => {
    const original = input[i];
    expect(original).toBeDefined();
    if (original === undefined) return;
    expect(record.offset).toBe(baseOffset + BigInt(original.offsetDelta ?? i));
    expect(record.timestamp).toBe(baseTimestamp + (original.timestampDelta ?? 0n));
    expect(record.key).toEqual(original.key);
    expect(record.value).toEqual(original.value);
    expect(record.headers).toEqual(original.headers ?? []);
  });
}

describe('record batch encode/decode round trip', () => {
  for (const codec of codecs) {
    it(`${codec}: random records (null, empty, large values, many headers) survive encode then decode`, async () => {
      const random = new Random(1000 + codecs.indexOf(codec));
      for (let round = 0; round < 5; round++) {
        const records = randomRecords(random, random.int(1, 40));
        const options = {
          baseOffset: BigInt(random.int(0, 1e9)) * 1000n,
          baseTimestamp: 1_700_000_000_000n,
          compression: codec,
          producerId: 9n,
          producerEpoch: 1,
          baseSequence: 100,
          records,
        };
        const encoded = round % 2 === 0 ? encodeRecordBatchSync(options) : await encodeRecordBatch(options);
        const header = readBatchHeader(encoded);
        expect(compressionOf(header.attributes)).toBe(codecs.indexOf(codec));
        expect(header.lastOffsetDelta).toBe(records.at(-1)?.offsetDelta);
        const maxDelta = records.reduce(
          (m, r) => ((r.timestampDelta ?? 0n) > m ? (r.timestampDelta ?? 0n) : m),
          -(1n << 62n),
        );
        expect(header.maxTimestamp).toBe(options.baseTimestamp + maxDelta);

        const [batch] = round % 2 === 0 ? decodeRecordBatchesSync(encoded) : await decodeRecordBatches(encoded);
        expect(batch?.compression).toBe(codec);
        expectSameRecords(batch?.records ?? [], records, options.baseOffset, options.baseTimestamp);
      }
    });
  }

  it('snappy with xerial framing round-trips through decodeRecordBatches', async () => {
    const records = randomRecords(new Random(5), 20);
    const encoded = await encodeRecordBatch({
      baseTimestamp: 0n,
      compression: 'snappy',
      snappyFraming: 'xerial',
      records,
    });
    const [batch] = await decodeRecordBatches(encoded);
    expectSameRecords(batch?.records ?? [], records, 0n, 0n);
  });

  it('several concatenated batches decode in order and a partial trailing batch is ignored', () => {
    const a = encodeRecordBatchSync({
      baseOffset: 0n,
      baseTimestamp: 0n,
      records: [{ key: null, value: Buffer.from('a') }],
    });
    const b = encodeRecordBatchSync({
      baseOffset: 1n,
      baseTimestamp: 0n,
      compression: 'lz4',
      records: [{ key: null, value: Buffer.from('b') }],
    });
    const c = encodeRecordBatchSync({
      baseOffset: 2n,
      baseTimestamp: 0n,
      records: [{ key: null, value: Buffer.from('c') }],
    });
    for (const cut of [1, 12, 17, 30, c.length - 1]) {
      const fetched = Buffer.concat([a, b, c.subarray(0, cut)]);
      const batches = decodeRecordBatchesSync(fetched);
      expect(batches.map((batch) => batch.records[0]?.value?.toString())).toEqual(['a', 'b']);
      expect(batches[1]?.position).toBe(a.length);
    }
  });

  it('transactional flag, empty batch after compaction, and a preserved lastOffsetDelta are encoded', () => {
    const empty = encodeRecordBatchSync({ baseTimestamp: 0n, records: [], lastOffsetDelta: 9, transactional: true });
    const header = readBatchHeader(empty);
    expect(header).toMatchObject({ recordCount: 0, lastOffsetDelta: 9 });
    expect(isTransactional(header.attributes)).toBe(true);
    expect(decodeRecordBatchesSync(empty)[0]?.records).toEqual([]);
  });

  it('a LogAppendTime batch gives every record the batch maxTimestamp and keeps a valid CRC', () => {
    const batch = encodeRecordBatchSync({
      baseTimestamp: 10n,
      records: [{ key: null, value: null, timestampDelta: 3n }],
    });
    writeLogAppendTime(batch, 0, batch.length, 999n);
    expect(validateRecordBatches(batch).ok).toBe(true);
    expect(decodeRecordBatchesSync(batch)[0]?.records[0]?.timestamp).toBe(999n);
  });

  it('a record whose length prefix disagrees with its body throws RecordBatchDecodeError invalid_record', () => {
    const batch = encodeRecordBatchSync({ baseTimestamp: 0n, records: [{ key: null, value: Buffer.from('abc') }] });
    batch[61] = (batch[61] ?? 0) + 2; // record length +1 (zigzag)
    expect(() => decodeRecordBatchesSync(batch, { verifyCrc: false })).toThrow(
      expect.objectContaining({ name: 'RecordBatchDecodeError', reason: 'invalid_record' }),
    );
    expect(() => decodeRecordBatchesSync(batch)).toThrow(RecordBatchDecodeError);
  });

  it('a corrupt compressed payload with a valid CRC throws RecordBatchDecodeError corrupt_message', async () => {
    const batch = encodeRecordBatchSync({
      baseTimestamp: 0n,
      compression: 'zstd',
      records: randomRecords(new Random(3), 5),
    });
    batch.fill(0x55, 70, 90);
    batch.writeUInt32BE(0, 17);
    await expect(decodeRecordBatches(batch, { verifyCrc: false })).rejects.toMatchObject({ reason: 'corrupt_message' });
  });
});
