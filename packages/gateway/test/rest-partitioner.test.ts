import { describe, expect, it } from 'vitest';
import { kafkaPartitionForKey, murmur2 } from '../src/rest/partitioner.ts';

describe("Kafka's default partitioner", () => {
  // The hashes Kafka's own UtilsTest.testMurmur2 asserts for Java's Utils.murmur2.
  const javaHashes: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];

  it.each(javaHashes)('murmur2(%s) is the value Java computes', (key, hash) => {
    expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  it('masks the sign bit (Utils.toPositive), not Math.abs, before the modulo', () => {
    // -973932308 & 0x7fffffff = 1173551340; Math.abs would give 973932308 (partition 8, not 0, of 10).
    expect(kafkaPartitionForKey(Buffer.from('21'), 10)).toBe(1173551340 % 10);
    for (const [key, hash] of javaHashes) {
      expect(kafkaPartitionForKey(Buffer.from(key), 7)).toBe((hash & 0x7fffffff) % 7);
    }
  });

  it('hashes the empty key and every tail length (0 to 3 trailing bytes)', () => {
    expect(kafkaPartitionForKey(new Uint8Array(0), 3)).toBeGreaterThanOrEqual(0);
    const lengths = [4, 5, 6, 7].map((n) => murmur2(Buffer.alloc(n, 0xff)));
    expect(new Set(lengths).size).toBe(4);
  });
});
