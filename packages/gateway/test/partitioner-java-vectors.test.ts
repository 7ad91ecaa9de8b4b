import { describe, expect, it } from 'vitest';
import { kafkaPartitionForKey, murmur2 } from '../src/rest/partitioner.ts';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe("Kafka's default partitioner", () => {
  // The hashes Kafka's own UtilsTest.testMurmur2 expects of the Java client's Utils.murmur2.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%s) is the Java client value %i', (key, hash) => {
    expect(murmur2(utf8(key))).toBe(hash);
  });

  it('a key maps to its positive hash modulo the partition count (negative hashes lose only the sign bit)', () => {
    // toPositive(-790332482) = 1357151166: 6 of 10, 16 of 50, 2 of 4.
    expect(kafkaPartitionForKey(utf8('foobar'), 10)).toBe(6);
    expect(kafkaPartitionForKey(utf8('foobar'), 50)).toBe(16);
    expect(kafkaPartitionForKey(utf8('foobar'), 4)).toBe(2);
    // 479470107 is positive already: 479470107 % 7 = 5.
    expect(kafkaPartitionForKey(utf8('abc'), 7)).toBe(479470107 % 7);
    expect(kafkaPartitionForKey(utf8('abc'), 1)).toBe(0);
  });

  // kafkajs's Java-compatible murmur2 (its default partitioner) on bytes above 0x7f, every tail length, and none.
  it.each([
    [[0xff], -311467685],
    [[0xff, 0x80], -442788720],
    [[0xff, 0x80, 0x01], 1034853807],
    [[0x80, 0x81, 0x82, 0x83, 0xfe], 152038955],
    [[], 275646681],
  ])('murmur2 of raw bytes %j takes them unsigned: %i', (bytes, hash) => {
    expect(murmur2(Uint8Array.from(bytes))).toBe(hash);
  });

  it('refuses a partition count below one', () => {
    expect(() => kafkaPartitionForKey(utf8('k'), 0)).toThrow(RangeError);
  });
});
