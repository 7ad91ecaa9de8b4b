import { describe, expect, it } from 'vitest';
import { RecordBatchDecodeError } from '../src/records/index.ts';
import {
  RecordReader,
  writeZigzagVarint,
  writeZigzagVarlong,
  zigzagVarintSize,
  zigzagVarlongSize,
} from '../src/records/record-varint.ts';

function varintHex(value: number): string {
  const buf = Buffer.alloc(zigzagVarintSize(value));
  expect(writeZigzagVarint(buf, 0, value)).toBe(buf.length);
  return buf.toString('hex');
}

function varlongHex(value: bigint): string {
  const buf = Buffer.alloc(zigzagVarlongSize(value));
  expect(writeZigzagVarlong(buf, 0, value)).toBe(buf.length);
  return buf.toString('hex');
}

describe('record zigzag varints', () => {
  it('small values zigzag as 0, -1, 1, -64, 64 -> 00, 01, 02, 7f, 8001', () => {
    expect([0, -1, 1, -64, 64].map(varintHex)).toEqual(['00', '01', '02', '7f', '8001']);
  });

  it('int32 extremes take five bytes and read back exactly', () => {
    expect(varintHex(0x7fffffff)).toBe('feffffff0f');
    expect(varintHex(-0x80000000)).toBe('ffffffff0f');
    for (const value of [0x7fffffff, -0x80000000, 300, -300]) {
      expect(new RecordReader(Buffer.from(varintHex(value), 'hex')).varint()).toBe(value);
    }
  });

  it('int64 extremes take ten bytes and read back exactly', () => {
    const max = (1n << 63n) - 1n;
    const min = -(1n << 63n);
    expect(varlongHex(max)).toBe('feffffffffffffffff01');
    expect(varlongHex(min)).toBe('ffffffffffffffffff01');
    for (const value of [max, min, 0n, -1n, 1n << 40n, -(1n << 35n), 1_700_000_000_000n]) {
      expect(new RecordReader(Buffer.from(varlongHex(value), 'hex')).varlong()).toBe(value);
    }
  });

  it('a varint longer than 5 bytes, or truncated, throws RecordBatchDecodeError invalid_record', () => {
    for (const hex of ['ffffffffff01', 'ff', 'ffffffff7f']) {
      expect(() => new RecordReader(Buffer.from(hex, 'hex')).varint()).toThrow(RecordBatchDecodeError);
    }
    expect(() => new RecordReader(Buffer.from('ffffffffffffffffffff01', 'hex')).varlong()).toThrow(
      RecordBatchDecodeError,
    );
  });
});
