import { describe, expect, it } from 'vitest';
import { decodeConsumerAssignment, encodeConsumerAssignment } from '../src/consumer-assignment.ts';

describe('consumer protocol assignment', () => {
  it('decodes what it encodes: topics with their partitions, in order', () => {
    const assigned = [
      { topic: 'orders', partitions: [0, 2, 4] },
      { topic: 'päyments', partitions: [] },
    ];
    expect(decodeConsumerAssignment(encodeConsumerAssignment(assigned))).toEqual(assigned);
  });

  it('reads the byte layout Kafka writes: int16 version, int32 topic count, int16 name, int32 partitions, user data', () => {
    const bytes = Buffer.from([
      0x00,
      0x03, // version 3: newer versions share the layout
      0x00,
      0x00,
      0x00,
      0x01, // one topic
      0x00,
      0x01,
      0x74, // "t"
      0x00,
      0x00,
      0x00,
      0x02,
      0x00,
      0x00,
      0x00,
      0x05,
      0x00,
      0x00,
      0x00,
      0x07, // [5, 7]
      0x00,
      0x00,
      0x00,
      0x02,
      0xab,
      0xcd, // user data, not read
    ]);
    expect(decodeConsumerAssignment(bytes)).toEqual([{ topic: 't', partitions: [5, 7] }]);
  });

  it('empty, truncated or negative-count bytes decode to null rather than throwing', () => {
    const whole = encodeConsumerAssignment([{ topic: 'orders', partitions: [1, 2] }]);
    expect(decodeConsumerAssignment(Buffer.alloc(0))).toBeNull();
    for (let cut = 1; cut < whole.length - 4; cut++) {
      expect(decodeConsumerAssignment(whole.subarray(0, cut))).toBeNull();
    }
    expect(decodeConsumerAssignment(Buffer.from([0, 0, 0xff, 0xff, 0xff, 0xff]))).toBeNull();
  });
});
