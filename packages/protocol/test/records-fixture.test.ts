import { describe, expect, it } from 'vitest';
import {
  crc32c,
  decodeRecordBatchesSync,
  encodeRecordBatch,
  encodeRecordBatchSync,
  readBatchHeader,
} from '../src/records/index.ts';

/** Big-endian fixed-width fields and raw bytes, written one by one as the spec lays them out. */
function bytes(...parts: (number[] | string | Buffer)[]): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
}
const int8 = (v: number): number[] => [v & 0xff];
const int16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const int32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const int64 = (v: bigint): number[] => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return [...b];
};

/**
 * Two records written by hand, zigzag varints included:
 * record 0: offsetDelta 0, timestampDelta 0, key "k", value "value", header h=v
 * record 1: offsetDelta 1, timestampDelta 5, null key, null value, header with null value
 */
const record0 = bytes(
  [0x20], // length 16, zigzag(16) = 32
  [0x00], // attributes
  [0x00], // timestampDelta 0
  [0x00], // offsetDelta 0
  [0x02], // key length 1
  'k',
  [0x0a], // value length 5
  'value',
  [0x02], // header count 1
  [0x02], // header key length 1
  'h',
  [0x02], // header value length 1
  'v',
);
const record1 = bytes(
  [0x14], // length 10
  [0x00],
  [0x0a], // timestampDelta 5
  [0x02], // offsetDelta 1
  [0x01], // key length -1 (null)
  [0x01], // value length -1 (null)
  [0x02], // header count 1
  [0x04], // header key length 2
  'hh',
  [0x01], // header value length -1 (null)
);

function handBuiltBatch(): Buffer {
  const records = Buffer.concat([record0, record1]);
  const afterCrc = bytes(
    int16(0x0010), // attributes: transactional, no compression, CreateTime
    int32(1), // lastOffsetDelta
    int64(1_700_000_000_000n), // baseTimestamp
    int64(1_700_000_000_005n), // maxTimestamp
    int64(77n), // producerId
    int16(3), // producerEpoch
    int32(10), // baseSequence
    int32(2), // recordCount
    records,
  );
  const crc = crc32c(afterCrc);
  return bytes(
    int64(42n), // baseOffset
    int32(4 + 1 + 4 + afterCrc.length), // batchLength: bytes after this field
    int32(5), // partitionLeaderEpoch
    int8(2), // magic
    int32(crc),
    afterCrc,
  );
}

const fixtureOptions = {
  baseOffset: 42n,
  partitionLeaderEpoch: 5,
  baseTimestamp: 1_700_000_000_000n,
  producerId: 77n,
  producerEpoch: 3,
  baseSequence: 10,
  transactional: true,
  records: [
    { key: Buffer.from('k'), value: Buffer.from('value'), headers: [{ key: 'h', value: Buffer.from('v') }] },
    { key: null, value: null, timestampDelta: 5n, headers: [{ key: 'hh', value: null }] },
  ],
};

describe('record batch v2 byte fixture', () => {
  it('CRC-32C of the check string "123456789" is 0xE3069283', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('encodeRecordBatchSync writes exactly the hand-built bytes, CRC included', () => {
    const expected = handBuiltBatch();
    const encoded = encodeRecordBatchSync(fixtureOptions);
    expect(encoded.toString('hex')).toBe(expected.toString('hex'));
    expect(encoded.length).toBe(61 + record0.length + record1.length);
    // Golden CRC, cross-checked with a bitwise CRC-32C (poly 0x82F63B78) outside this code base,
    // so a change in both the encoder and crc32c cannot pass unnoticed.
    expect(readBatchHeader(encoded).crc).toBe(0x021a69de);
  });

  it('encodeRecordBatch (async) writes the same bytes as the sync variant', async () => {
    expect((await encodeRecordBatch(fixtureOptions)).equals(handBuiltBatch())).toBe(true);
  });

  it('the hand-built batch decodes to absolute offsets, timestamps, nulls and string header keys', () => {
    const [batch, ...rest] = decodeRecordBatchesSync(handBuiltBatch());
    expect(rest).toHaveLength(0);
    expect(batch?.header).toMatchObject({ baseOffset: 42n, lastOffsetDelta: 1, producerId: 77n, recordCount: 2 });
    expect(batch?.compression).toBe('none');
    const [r0, r1] = batch?.records ?? [];
    expect(r0).toMatchObject({ offset: 42n, timestamp: 1_700_000_000_000n, headers: [{ key: 'h' }] });
    expect(r0?.key?.toString()).toBe('k');
    expect(r0?.value?.toString()).toBe('value');
    expect(r1).toMatchObject({ offset: 43n, timestamp: 1_700_000_000_005n, key: null, value: null });
    expect(r1?.headers).toEqual([{ key: 'hh', value: null }]);
  });

  it('header defaults are the non-idempotent sentinels: producerId -1, epoch -1, sequence -1, leader epoch -1', () => {
    const header = readBatchHeader(encodeRecordBatchSync({ baseTimestamp: 0n, records: [{ key: null, value: null }] }));
    expect(header).toMatchObject({
      baseOffset: 0n,
      partitionLeaderEpoch: -1,
      magic: 2,
      attributes: 0,
      lastOffsetDelta: 0,
      producerId: -1n,
      producerEpoch: -1,
      baseSequence: -1,
      recordCount: 1,
    });
  });
});
