/**
 * The `__consumer_offsets` key and value codecs against bytes built by hand
 * from Kafka's layouts (OffsetCommitKey/Value, GroupMetadataKey/Value), so a
 * change in field order or width fails here rather than in a Kafka tool.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeOffsetsRecord,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from '../src/groups/offsets-records.ts';
import type { GroupMetadataValue } from '../src/groups/types.ts';

const i16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const i32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const i64 = (v: bigint): number[] => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(v);
  return [...b];
};
const str = (s: string | null): number[] => (s === null ? i16(-1) : [...i16(s.length), ...Buffer.from(s, 'latin1')]);
const bytes = (b: number[]): number[] => [...i32(b.length), ...b];
const buf = (...parts: number[][]): Buffer => Buffer.from(parts.flat());

const offsetKeyFixture = buf(i16(1), str('g1'), str('orders'), i32(7));
const offsetValueV3Fixture = buf(i16(3), i64(42n), i32(5), str('meta'), i64(1_700_000_000_000n));
const groupKeyFixture = buf(i16(2), str('g1'));

const group: GroupMetadataValue = {
  protocolType: 'consumer',
  generation: 3,
  protocol: 'range',
  leader: 'm-1',
  currentStateTimestampMs: 1_700_000_000_123n,
  members: [
    {
      memberId: 'm-1',
      groupInstanceId: 'i-1',
      clientId: 'c',
      clientHost: '/10.0.0.1',
      rebalanceTimeoutMs: 300_000,
      sessionTimeoutMs: 45_000,
      subscription: Buffer.from([1, 2]),
      assignment: Buffer.from([3]),
    },
  ],
};
const groupValueV3Fixture = buf(
  i16(3),
  str('consumer'),
  i32(3),
  str('range'),
  str('m-1'),
  i64(1_700_000_000_123n),
  i32(1),
  str('m-1'),
  str('i-1'),
  str('c'),
  str('/10.0.0.1'),
  i32(300_000),
  i32(45_000),
  bytes([1, 2]),
  bytes([3]),
);

describe('offsets record encoding', () => {
  it('writes an offset commit key at version 1: group, topic, partition', () => {
    expect(encodeOffsetCommitKey('g1', 'orders', 7)).toEqual(offsetKeyFixture);
  });

  it('writes an offset commit value at v3 with the leader epoch before the metadata', () => {
    const value = { offset: 42n, leaderEpoch: 5, metadata: 'meta', commitTimestampMs: 1_700_000_000_000n };
    expect(encodeOffsetCommitValue(value)).toEqual(offsetValueV3Fixture);
  });

  it('writes a group metadata key at version 2 and a value at v3 with static member ids', () => {
    expect(encodeGroupMetadataKey('g1')).toEqual(groupKeyFixture);
    expect(encodeGroupMetadataValue(group)).toEqual(groupValueV3Fixture);
  });

  it('writes a null protocol type as the empty string, as Kafka does', () => {
    const empty = { ...group, protocolType: null, protocol: null, leader: null, members: [] };
    expect(encodeGroupMetadataValue(empty)).toEqual(
      buf(i16(3), str(''), i32(3), str(null), str(null), i64(1_700_000_000_123n), i32(0)),
    );
  });
});

describe('offsets record decoding', () => {
  it('reads the v3 fixtures back into the values they encode', () => {
    expect(decodeOffsetsRecord(offsetKeyFixture, offsetValueV3Fixture)).toEqual({
      ok: true,
      value: {
        type: 'offset_commit',
        groupId: 'g1',
        topic: 'orders',
        partition: 7,
        value: { offset: 42n, leaderEpoch: 5, metadata: 'meta', commitTimestampMs: 1_700_000_000_000n },
      },
    });
    expect(decodeOffsetsRecord(groupKeyFixture, groupValueV3Fixture)).toEqual({
      ok: true,
      value: { type: 'group_metadata', groupId: 'g1', value: group },
    });
  });

  it('reads a null value as a tombstone for either key type', () => {
    expect(decodeOffsetsRecord(offsetKeyFixture, null)).toEqual({
      ok: true,
      value: { type: 'offset_commit', groupId: 'g1', topic: 'orders', partition: 7, value: null },
    });
    expect(decodeOffsetsRecord(groupKeyFixture, null)).toEqual({
      ok: true,
      value: { type: 'group_metadata', groupId: 'g1', value: null },
    });
  });

  it('reads older value versions: v1 offset commits skip the expire timestamp, v0 groups reuse the session timeout', () => {
    const v1 = buf(i16(1), i64(9n), str(''), i64(100n), i64(200n));
    const key0 = buf(i16(0), str('g1'), str('orders'), i32(7));
    const offset = decodeOffsetsRecord(key0, v1);
    expect(offset.ok && offset.value.type === 'offset_commit' && offset.value.value).toEqual({
      offset: 9n,
      leaderEpoch: -1,
      metadata: '',
      commitTimestampMs: 100n,
    });
    const v0 = buf(i16(0), str(''), i32(1), str(null), str(null), i32(1));
    const member = buf(str('m'), str('c'), str('h'), i32(10_000), bytes([]), bytes([9]));
    const decoded = decodeOffsetsRecord(groupKeyFixture, Buffer.concat([v0, member]));
    expect(decoded.ok && decoded.value.type === 'group_metadata' && decoded.value.value).toEqual({
      protocolType: null,
      generation: 1,
      protocol: null,
      leader: null,
      currentStateTimestampMs: -1n,
      members: [
        {
          memberId: 'm',
          groupInstanceId: null,
          clientId: 'c',
          clientHost: 'h',
          rebalanceTimeoutMs: 10_000,
          sessionTimeoutMs: 10_000,
          subscription: Buffer.alloc(0),
          assignment: Buffer.from([9]),
        },
      ],
    });
  });

  it('answers unknown_version for KIP-848 key types and flexible values', () => {
    expect(decodeOffsetsRecord(buf(i16(3), str('g1')), null)).toMatchObject({ ok: false, error: 'unknown_version' });
    expect(decodeOffsetsRecord(offsetKeyFixture, buf(i16(4), i64(1n)))).toMatchObject({
      ok: false,
      error: 'unknown_version',
    });
  });

  it('answers corrupt for truncated or overlong records instead of throwing', () => {
    expect(decodeOffsetsRecord(offsetKeyFixture.subarray(0, 5), null)).toMatchObject({ ok: false, error: 'corrupt' });
    expect(decodeOffsetsRecord(offsetKeyFixture, offsetValueV3Fixture.subarray(0, 20))).toMatchObject({
      ok: false,
      error: 'corrupt',
    });
    expect(decodeOffsetsRecord(Buffer.concat([groupKeyFixture, Buffer.from([0])]), null)).toMatchObject({
      ok: false,
      error: 'corrupt',
    });
    expect(decodeOffsetsRecord(buf(i16(1), str(null), str('t'), i32(0)), null)).toMatchObject({
      ok: false,
      error: 'corrupt',
    });
  });
});
