import { describe, expect, it } from 'vitest';
import { SerdeError } from '../src/serde-error.ts';
import { decodeFrame, decodeMessageIndexes, encodeFrame, encodeMessageIndexes } from '../src/wire-format.ts';

describe('registry wire format', () => {
  it('frames a payload as magic byte 0, the big-endian schema id, then the payload', () => {
    const frame = encodeFrame(0x01020304, Buffer.from('hi'));
    expect([...frame]).toEqual([0, 1, 2, 3, 4, 0x68, 0x69]);
    const { schemaId, body } = decodeFrame(frame);
    expect(schemaId).toBe(0x01020304);
    expect(body.toString()).toBe('hi');
  });

  it('reads a frame from a view into a larger buffer without looking outside it', () => {
    const backing = Buffer.from([9, 9, 0, 0, 0, 0, 7, 0x41, 9]);
    const { schemaId, body } = decodeFrame(backing.subarray(2, 8));
    expect(schemaId).toBe(7);
    expect([...body]).toEqual([0x41]);
  });

  it('refuses a frame with another magic byte or shorter than five bytes', () => {
    expect(() => decodeFrame(Buffer.from([1, 0, 0, 0, 1, 5]))).toThrow(/unknown magic byte 1/);
    expect(() => decodeFrame(Buffer.from([0, 0, 0, 1]))).toThrow(SerdeError);
  });

  it('refuses a schema id outside int32 >= 0', () => {
    expect(() => encodeFrame(-1, Buffer.alloc(0))).toThrow(SerdeError);
    expect(() => encodeFrame(2 ** 31, Buffer.alloc(0))).toThrow(SerdeError);
  });
});

describe('Protobuf message indexes', () => {
  it('writes the first message [0] as the single byte 0 and reads it back as [0]', () => {
    expect([...encodeMessageIndexes([0])]).toEqual([0]);
    expect(decodeMessageIndexes(Buffer.from([0, 0xaa]))).toEqual({ indexes: [0], payload: Buffer.from([0xaa]) });
  });

  it('writes other paths as a zigzag count and zigzag indexes', () => {
    // [1]: count 1 -> 2, index 1 -> 2. [0, 2]: count 2 -> 4, 0 -> 0, 2 -> 4. [64]: 64 -> 128 = 0x80 0x01.
    expect([...encodeMessageIndexes([1])]).toEqual([2, 2]);
    expect([...encodeMessageIndexes([0, 2])]).toEqual([4, 0, 4]);
    expect([...encodeMessageIndexes([64])]).toEqual([2, 0x80, 0x01]);
  });

  it('round-trips paths through a frame, payload after them', () => {
    for (const path of [[0], [3], [0, 0], [1, 2, 3], [300, 70000], [2 ** 31 - 1]]) {
      const frame = encodeFrame(42, Buffer.from([0xde, 0xad]), path);
      const { schemaId, body } = decodeFrame(frame);
      expect(schemaId).toBe(42);
      expect(decodeMessageIndexes(body)).toEqual({ indexes: path, payload: Buffer.from([0xde, 0xad]) });
    }
  });

  it('refuses corrupt indexes: a count beyond the bytes, a truncated or overlong varint, a negative index', () => {
    expect(() => decodeMessageIndexes(Buffer.from([200, 1]))).toThrow(/does not fit/);
    expect(() => decodeMessageIndexes(Buffer.from([2, 0x80]))).toThrow(/inside a varint/);
    expect(() => decodeMessageIndexes(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]))).toThrow(/longer than 5/);
    expect(() => decodeMessageIndexes(Buffer.from([2, 1]))).toThrow(/negative/);
  });

  it('refuses to write an empty path or a negative index', () => {
    expect(() => encodeMessageIndexes([])).toThrow(SerdeError);
    expect(() => encodeMessageIndexes([0, -1])).toThrow(SerdeError);
  });
});
