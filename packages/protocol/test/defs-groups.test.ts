/**
 * Byte fixtures for the consumer-group API definitions. Each expected buffer is
 * built by hand, field by field, from the protocol spec (never by the encoder),
 * then checked both ways: encoding the value yields exactly those bytes, and
 * decoding those bytes yields the value (absent fields decode to their defaults).
 */
import { describe, test } from 'vitest';
import { deleteGroups } from '../src/messages/delete-groups.ts';
import { describeGroups } from '../src/messages/describe-groups.ts';
import { heartbeat } from '../src/messages/heartbeat.ts';
import { joinGroup } from '../src/messages/join-group.ts';
import { leaveGroup } from '../src/messages/leave-group.ts';
import { listGroups } from '../src/messages/list-groups.ts';
import { offsetCommit } from '../src/messages/offset-commit.ts';
import { offsetDelete } from '../src/messages/offset-delete.ts';
import { offsetFetch } from '../src/messages/offset-fetch.ts';
import { syncGroup } from '../src/messages/sync-group.ts';
import { type AdvertisedRange, testAdvertisedRanges } from './advertised-ranges.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

// Kafka 4.1's ranges (OffsetCommit and OffsetFetch v10 are unstable there); the flexible versions' fixtures
// are in defs-groups-flexible.test.ts.
describe('group API definitions cover the compat-table ranges', () => {
  const table: readonly AdvertisedRange[] = [
    [offsetCommit, 8, '2-9', '8+'],
    [offsetFetch, 9, '1-9', '6+'],
    [joinGroup, 11, '0-9', '6+'],
    [heartbeat, 12, '0-4', '4+'],
    [leaveGroup, 13, '0-5', '4+'],
    [syncGroup, 14, '0-5', '4+'],
    [describeGroups, 15, '0-6', '5+'],
    [listGroups, 16, '0-5', '3+'],
    [deleteGroups, 42, '0-2', '2+'],
    [offsetDelete, 47, '0', 'none'],
  ];
  testAdvertisedRanges(table);
});

describe('OffsetCommit', () => {
  test('v7 request with instance id and leader epoch matches the fixture both ways', () => {
    const value = {
      groupId: 'g',
      generationId: 3,
      memberId: 'm-1',
      groupInstanceId: 'i-1',
      retentionTimeMs: -1n,
      topics: [
        {
          name: 'orders',
          partitions: [{ partitionIndex: 2, committedOffset: 1234n, committedLeaderEpoch: 5, committedMetadata: null }],
        },
      ],
    };
    const fixture = new WireBytes()
      .string('g')
      .int32(3)
      .string('m-1')
      .string('i-1')
      .array(1)
      .string('orders')
      .array(1)
      .int32(2)
      .int64(1234n)
      .int32(5)
      .string(null)
      .build();
    expectBothWays(offsetCommit.request, 7, value, fixture);
  });

  test('v2 request carries the retention time and omits leader epoch and instance id', () => {
    const value = {
      groupId: 'g',
      generationId: 1,
      memberId: 'm',
      groupInstanceId: null,
      retentionTimeMs: 86_400_000n,
      topics: [
        {
          name: 't',
          partitions: [{ partitionIndex: 0, committedOffset: 7n, committedLeaderEpoch: -1, committedMetadata: 'meta' }],
        },
      ],
    };
    const fixture = new WireBytes()
      .string('g')
      .int32(1)
      .string('m')
      .int64(86_400_000n)
      .array(1)
      .string('t')
      .array(1)
      .int32(0)
      .int64(7n)
      .string('meta')
      .build();
    expectBothWays(offsetCommit.request, 2, value, fixture);
  });

  test('v3 response with a partition error matches the fixture both ways', () => {
    const value = { throttleTimeMs: 10, topics: [{ name: 't', partitions: [{ partitionIndex: 1, errorCode: 25 }] }] };
    const fixture = new WireBytes().int32(10).array(1).string('t').array(1).int32(1).int16(25).build();
    expectBothWays(offsetCommit.response, 3, value, fixture);
  });
});

describe('OffsetFetch', () => {
  test('v5 request for two partitions matches the fixture both ways', () => {
    const value = { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 3] }] };
    const fixture = new WireBytes().string('g').array(1).string('t').array(2).int32(0).int32(3).build();
    expectBothWays(offsetFetch.request, 5, value, fixture, { ...value, groups: [], requireStable: false });
  });

  test('v2 request with null topics (all topics) encodes a -1 array length', () => {
    const fixture = new WireBytes().string('g').array(null).build();
    const value = { groupId: 'g', topics: null };
    expectBothWays(offsetFetch.request, 2, value, fixture, { ...value, groups: [], requireStable: false });
  });

  test('v5 response with leader epoch and group error code matches the fixture both ways', () => {
    const value = {
      throttleTimeMs: 0,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 2, metadata: '', errorCode: 0 },
          ],
        },
      ],
      errorCode: 0,
    };
    const fixture = new WireBytes()
      .int32(0)
      .array(1)
      .string('t')
      .array(1)
      .int32(0)
      .int64(42n)
      .int32(2)
      .string('')
      .int16(0)
      .int16(0)
      .build();
    expectBothWays(offsetFetch.response, 5, value, fixture, { ...value, groups: [] });
  });
});

describe('JoinGroup', () => {
  const protocols = [{ name: 'range', metadata: Buffer.from([0, 1, 2]) }];

  test('v5 request with instance id matches the fixture both ways', () => {
    const value = {
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 30_000,
      memberId: '',
      groupInstanceId: 'static-1',
      protocolType: 'consumer',
      protocols,
    };
    const fixture = new WireBytes()
      .string('g')
      .int32(10_000)
      .int32(30_000)
      .string('')
      .string('static-1')
      .string('consumer')
      .array(1)
      .string('range')
      .bytes(Buffer.from([0, 1, 2]))
      .build();
    expectBothWays(joinGroup.request, 5, value, fixture, { ...value, reason: null });
  });

  test('v0 request has no rebalance timeout, which decodes as -1', () => {
    const value = {
      groupId: 'g',
      sessionTimeoutMs: 6000,
      rebalanceTimeoutMs: -1,
      memberId: 'm',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols,
    };
    const fixture = new WireBytes()
      .string('g')
      .int32(6000)
      .string('m')
      .string('consumer')
      .array(1)
      .string('range')
      .bytes(Buffer.from([0, 1, 2]))
      .build();
    expectBothWays(joinGroup.request, 0, value, fixture, { ...value, reason: null });
  });

  test('v5 leader response lists members with and without instance ids', () => {
    const value = {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 4,
      protocolName: 'range',
      leader: 'm-1',
      memberId: 'm-1',
      members: [
        { memberId: 'm-1', groupInstanceId: 'static-1', metadata: Buffer.from([9]) },
        { memberId: 'm-2', groupInstanceId: null, metadata: Buffer.alloc(0) },
      ],
    };
    const fixture = new WireBytes()
      .int32(0)
      .int16(0)
      .int32(4)
      .string('range')
      .string('m-1')
      .string('m-1')
      .array(2)
      .string('m-1')
      .string('static-1')
      .bytes(Buffer.from([9]))
      .string('m-2')
      .string(null)
      .bytes(Buffer.alloc(0))
      .build();
    expectBothWays(joinGroup.response, 5, value, fixture, { ...value, protocolType: null, skipAssignment: false });
  });
});

describe('Heartbeat', () => {
  test('v3 request with null instance id matches the fixture both ways', () => {
    const value = { groupId: 'g', generationId: 7, memberId: 'm', groupInstanceId: null };
    const fixture = new WireBytes().string('g').int32(7).string('m').string(null).build();
    expectBothWays(heartbeat.request, 3, value, fixture);
  });

  test('v3 response carrying REBALANCE_IN_PROGRESS matches the fixture both ways', () => {
    const fixture = new WireBytes().int32(0).int16(27).build();
    expectBothWays(heartbeat.response, 3, { throttleTimeMs: 0, errorCode: 27 }, fixture);
  });
});

describe('LeaveGroup', () => {
  test('v3 batch request lists member identities', () => {
    const value = {
      groupId: 'g',
      memberId: '',
      members: [
        { memberId: 'm-1', groupInstanceId: null },
        { memberId: '', groupInstanceId: 'static-2' },
      ],
    };
    const fixture = new WireBytes()
      .string('g')
      .array(2)
      .string('m-1')
      .string(null)
      .string('')
      .string('static-2')
      .build();
    const members = value.members.map((m) => ({ ...m, reason: null }));
    expectBothWays(leaveGroup.request, 3, value, fixture, { ...value, members });
  });

  test('v1 request carries a single member id and decodes members as empty', () => {
    const fixture = new WireBytes().string('g').string('m-1').build();
    expectBothWays(leaveGroup.request, 1, { groupId: 'g', memberId: 'm-1', members: [] }, fixture);
  });

  test('v3 response reports a result per member', () => {
    const value = {
      throttleTimeMs: 0,
      errorCode: 0,
      members: [{ memberId: 'm-1', groupInstanceId: null, errorCode: 25 }],
    };
    const fixture = new WireBytes().int32(0).int16(0).array(1).string('m-1').string(null).int16(25).build();
    expectBothWays(leaveGroup.response, 3, value, fixture);
  });
});

describe('SyncGroup', () => {
  test('v3 leader request with assignments matches the fixture both ways', () => {
    const value = {
      groupId: 'g',
      generationId: 4,
      memberId: 'm-1',
      groupInstanceId: 'static-1',
      assignments: [{ memberId: 'm-1', assignment: Buffer.from([0, 0, 0, 0]) }],
    };
    const fixture = new WireBytes()
      .string('g')
      .int32(4)
      .string('m-1')
      .string('static-1')
      .array(1)
      .string('m-1')
      .bytes(Buffer.from([0, 0, 0, 0]))
      .build();
    expectBothWays(syncGroup.request, 3, value, fixture, { ...value, protocolType: null, protocolName: null });
  });

  test('v3 response carries the member assignment bytes', () => {
    const value = { throttleTimeMs: 5, errorCode: 0, assignment: Buffer.from([1, 2]) };
    const fixture = new WireBytes()
      .int32(5)
      .int16(0)
      .bytes(Buffer.from([1, 2]))
      .build();
    expectBothWays(syncGroup.response, 3, value, fixture, { ...value, protocolType: null, protocolName: null });
  });
});

describe('DescribeGroups', () => {
  test('v4 request asking for authorized operations matches the fixture both ways', () => {
    const value = { groups: ['a', 'b'], includeAuthorizedOperations: true };
    const fixture = new WireBytes().array(2).string('a').string('b').bool(true).build();
    expectBothWays(describeGroups.request, 4, value, fixture);
  });

  test('v4 response describes a stable group and its member', () => {
    const value = {
      throttleTimeMs: 0,
      groups: [
        {
          errorCode: 0,
          groupId: 'g',
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'range',
          members: [
            {
              memberId: 'm-1',
              groupInstanceId: null,
              clientId: 'c',
              clientHost: '/10.0.0.1',
              memberMetadata: Buffer.from([1]),
              memberAssignment: Buffer.from([2]),
            },
          ],
          authorizedOperations: -2147483648,
        },
      ],
    };
    const fixture = new WireBytes()
      .int32(0)
      .array(1)
      .int16(0)
      .string('g')
      .string('Stable')
      .string('consumer')
      .string('range')
      .array(1)
      .string('m-1')
      .string(null)
      .string('c')
      .string('/10.0.0.1')
      .bytes(Buffer.from([1]))
      .bytes(Buffer.from([2]))
      .int32(-2147483648)
      .build();
    const groups = value.groups.map((g) => ({ ...g, errorMessage: null }));
    expectBothWays(describeGroups.response, 4, value, fixture, { ...value, groups });
  });
});

describe('ListGroups', () => {
  test('v2 request is an empty body', () => {
    expectBothWays(listGroups.request, 2, {}, Buffer.alloc(0), { statesFilter: [], typesFilter: [] });
  });

  test('v2 response lists groups with their protocol type', () => {
    const value = { throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer' }] };
    const fixture = new WireBytes().int32(0).int16(0).array(1).string('g').string('consumer').build();
    const groups = value.groups.map((g) => ({ ...g, groupState: '', groupType: '' }));
    expectBothWays(listGroups.response, 2, value, fixture, { ...value, groups });
  });
});

describe('DeleteGroups', () => {
  test('v1 request lists group names', () => {
    const fixture = new WireBytes().array(2).string('g1').string('g2').build();
    expectBothWays(deleteGroups.request, 1, { groupsNames: ['g1', 'g2'] }, fixture);
  });

  test('v1 response reports NON_EMPTY_GROUP for one group', () => {
    const value = {
      throttleTimeMs: 0,
      results: [
        { groupId: 'g1', errorCode: 0 },
        { groupId: 'g2', errorCode: 68 },
      ],
    };
    const fixture = new WireBytes().int32(0).array(2).string('g1').int16(0).string('g2').int16(68).build();
    expectBothWays(deleteGroups.response, 1, value, fixture);
  });
});

describe('OffsetDelete', () => {
  test('v0 request names topic partitions', () => {
    const value = { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }, { partitionIndex: 1 }] }] };
    const fixture = new WireBytes().string('g').array(1).string('t').array(2).int32(0).int32(1).build();
    expectBothWays(offsetDelete.request, 0, value, fixture);
  });

  test('v0 response puts the error code before the throttle time', () => {
    const value = {
      errorCode: 0,
      throttleTimeMs: 3,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 86 }] }],
    };
    const fixture = new WireBytes().int16(0).int32(3).array(1).string('t').array(1).int32(0).int16(86).build();
    expectBothWays(offsetDelete.response, 0, value, fixture);
  });
});
