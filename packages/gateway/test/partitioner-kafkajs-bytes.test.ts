import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../src/rest/partitioner.ts';

// Beside rest-partitioner.test.ts (Kafka's UtilsTest strings): raw bytes above 0x7f, which a key given in hex to the
// console's key search can carry, hashed as kafkajs's Java-compatible murmur2 (its default partitioner) hashes them.
describe('murmur2 of raw bytes', () => {
  it.each([
    [[0xff], -311467685],
    [[0xff, 0x80], -442788720],
    [[0xff, 0x80, 0x01], 1034853807],
    [[0x80, 0x81, 0x82, 0x83, 0xfe], 152038955],
    [[], 275646681],
  ])('%j takes its bytes unsigned: %i, as kafkajs computes', (bytes, hash) => {
    expect(murmur2(Uint8Array.from(bytes))).toBe(hash);
  });

  it('the partition of a hashed key with the sign bit set: 1034853807 % 4 and (-311467685 & 0x7fffffff) % 4', () => {
    expect(partitionForKey(Uint8Array.from([0xff, 0x80, 0x01]), 4)).toBe(1034853807 % 4);
    expect(partitionForKey(Uint8Array.from([0xff]), 4)).toBe((-311467685 & 0x7fffffff) % 4);
  });
});
