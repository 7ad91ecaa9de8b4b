import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../src/rest/partitioner.ts';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('murmur2', () => {
  // The values Java's org.apache.kafka.common.utils.Utils.murmur2 returns (Kafka's UtilsTest), covering every
  // tail length (0 to 3 trailing bytes) and a sign-bit-set result.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('hashes %j to the int Java computes', (key, expected) => {
    expect(murmur2(utf8(key))).toBe(expected);
  });

  it('reads bytes, not characters: a non-ASCII key hashes its UTF-8 encoding', () => {
    expect(murmur2(utf8('é'))).toBe(murmur2(Buffer.from([0xc3, 0xa9])));
    expect(murmur2(utf8('é'))).not.toBe(murmur2(Buffer.from([0xe9])));
  });
});

describe('partitionForKey', () => {
  it('clears the sign bit before the modulo, as Utils.toPositive does', () => {
    // -790332482 & 0x7fffffff = 1357151166
    expect(partitionForKey(utf8('foobar'), 10)).toBe(1357151166 % 10);
    expect(partitionForKey(utf8('foobar'), 50)).toBe(16);
  });

  it('is always within the partition count, and one partition takes every key', () => {
    for (let i = 0; i < 200; i++) {
      const p = partitionForKey(utf8(`key-${i}`), 7);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(7);
      expect(partitionForKey(utf8(`key-${i}`), 1)).toBe(0);
    }
  });

  it('refuses a partition count that is not a positive integer', () => {
    expect(() => partitionForKey(utf8('k'), 0)).toThrow(RangeError);
  });
});
