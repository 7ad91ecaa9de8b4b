import { describe, expect, it } from 'vitest';
import { DecodeError, Reader, Writer } from '../src/index.ts';

const hex = (s: string): Buffer => Buffer.from(s.replaceAll(' ', ''), 'hex');
const written = (fill: (w: Writer) => void): string => {
  const w = new Writer();
  fill(w);
  return Buffer.concat(w.finish()).toString('hex');
};

describe('Reader and Writer primitives', () => {
  it('unsigned varints use 7-bit groups, low group first', () => {
    expect(written((w) => w.uvarint(0))).toBe('00');
    expect(written((w) => w.uvarint(300))).toBe('ac02');
    expect(written((w) => w.uvarint(0xffffffff))).toBe('ffffffff0f');
    expect(new Reader(hex('ac02')).uvarint()).toBe(300);
    expect(new Reader(hex('ffffffff0f')).uvarint()).toBe(0xffffffff);
  });

  it('zigzag varints and varlongs map small negatives to small codes', () => {
    expect(written((w) => w.varint(-1))).toBe('01');
    expect(written((w) => w.varint(1))).toBe('02');
    expect(written((w) => w.varlong(-2n))).toBe('03');
    expect(new Reader(hex('03')).varint()).toBe(-2);
    expect(new Reader(hex('ffffffffffffffffff01')).varlong()).toBe(-(2n ** 63n));
  });

  it('a varint longer than 5 bytes or a varlong longer than 10 is a DecodeError', () => {
    expect(() => new Reader(hex('8080808080 00')).uvarint()).toThrow(DecodeError);
    expect(() => new Reader(hex('ffffffff7f')).uvarint()).toThrow(DecodeError); // 35 bits
    expect(() => new Reader(hex('80808080808080808080 00')).uvarlong()).toThrow(DecodeError);
  });

  it('UUIDs decode to lowercase 8-4-4-4-12 hex and encode back', () => {
    const bytes = '0123456789abcdef0011223344556677';
    expect(new Reader(hex(bytes)).uuid()).toBe('01234567-89ab-cdef-0011-223344556677');
    expect(written((w) => w.uuid('01234567-89AB-CDEF-0011-223344556677'))).toBe(bytes);
  });

  it('lengths below -1 or beyond the bytes remaining are DecodeErrors, -1 means null', () => {
    expect(new Reader(hex('ffff')).stringLength(false)).toBe(-1);
    expect(new Reader(hex('00')).stringLength(true)).toBe(-1);
    expect(() => new Reader(hex('fffe')).stringLength(false)).toThrow(DecodeError);
    expect(() => new Reader(hex('0005 6162')).stringLength(false)).toThrow(DecodeError);
    expect(() => new Reader(hex('7fffffff')).bytesLength(false)).toThrow(DecodeError);
    expect(() => new Reader(hex('80000000')).bytesLength(false)).toThrow(DecodeError);
  });

  it('reading past the end is a DecodeError, never a RangeError', () => {
    const r = new Reader(hex('0001'));
    expect(() => r.int32()).toThrow(DecodeError);
    expect(() => new Reader(hex('00')).int64()).toThrow(DecodeError);
    expect(() => new Reader(hex('')).uuid()).toThrow(DecodeError);
  });

  it('large buffers become chunks of their own while small writes share scratch space', () => {
    const payload = Buffer.alloc(2000, 1);
    const w = new Writer();
    w.int32(7);
    w.chunk(payload);
    w.int16(1);
    const chunks = w.finish();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(payload);
    expect(w.length).toBe(2006);
  });
});
