/**
 * Byte fixtures for the Kafka 4.1 versions of the group APIs: the flexible
 * versions (compact strings, arrays and bytes, a tagged-field section after
 * every struct) and the fields they add — batched OffsetFetch (v8) with the
 * KIP-848 member (v9), batched FindCoordinator (v4), JoinGroup's reason (v8)
 * and skipAssignment (v9), LeaveGroup's reasons (v5), SyncGroup's protocol
 * (v5), DescribeGroups' error message (v6), ListGroups' filters (v4-5).
 * Each buffer is written field by field from the protocol spec, never by the
 * encoder, and checked both ways.
 */
import { describe, test } from 'vitest';
import { deleteGroups } from '../src/messages/delete-groups.ts';
import { describeGroups } from '../src/messages/describe-groups.ts';
import { findCoordinator } from '../src/messages/find-coordinator.ts';
import { heartbeat } from '../src/messages/heartbeat.ts';
import { joinGroup } from '../src/messages/join-group.ts';
import { leaveGroup } from '../src/messages/leave-group.ts';
import { listGroups } from '../src/messages/list-groups.ts';
import { offsetCommit } from '../src/messages/offset-commit.ts';
import { offsetFetch } from '../src/messages/offset-fetch.ts';
import { syncGroup } from '../src/messages/sync-group.ts';
import { expectBothWays, WireBytes } from './wire-bytes.ts';

describe('OffsetFetch v8-9', () => {
  test('v8 request batches groups, each with its own topics, and ends with requireStable', () => {
    const value = {
      groups: [{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] }],
      requireStable: true,
    };
    const fixture = new WireBytes()
      .compactArray(1)
      .compactString('g')
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(0)
      .noTags() // topic
      .noTags() // group
      .bool(true)
      .noTags()
      .build();
    const decoded = {
      groupId: '',
      topics: [],
      groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ name: 't', partitionIndexes: [0] }] }],
      requireStable: true,
    };
    expectBothWays(offsetFetch.request, 8, value, fixture, decoded);
  });

  test('v9 request carries the member id and epoch before a null (all topics) list', () => {
    const value = { groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: null }], requireStable: false };
    const fixture = new WireBytes()
      .compactArray(1)
      .compactString('g')
      .compactString(null)
      .int32(-1)
      .uvarint(0) // null topics
      .noTags()
      .bool(false)
      .noTags()
      .build();
    expectBothWays(offsetFetch.request, 9, value, fixture, { groupId: '', topics: [], ...value });
  });

  test('v8 response answers each group with its topics and its own error code', () => {
    const partition = { partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 };
    const value = {
      throttleTimeMs: 0,
      groups: [
        { groupId: 'a', topics: [{ name: 't', partitions: [partition] }], errorCode: 0 },
        { groupId: 'b', topics: [], errorCode: 16 },
      ],
    };
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(2)
      .compactString('a')
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(0)
      .int64(5n)
      .int32(-1)
      .compactString('')
      .int16(0)
      .noTags() // partition
      .noTags() // topic
      .int16(0)
      .noTags() // group a
      .compactString('b')
      .compactArray(0)
      .int16(16)
      .noTags() // group b
      .noTags()
      .build();
    expectBothWays(offsetFetch.response, 8, value, fixture, { ...value, topics: [], errorCode: 0 });
  });
});

describe('OffsetCommit v9 and Heartbeat v4', () => {
  test('OffsetCommit v9 request has v8 layout: compact fields, no retention time', () => {
    const value = {
      groupId: 'g',
      generationId: 2,
      memberId: 'm',
      groupInstanceId: null,
      topics: [
        {
          name: 't',
          partitions: [{ partitionIndex: 1, committedOffset: 9n, committedLeaderEpoch: 3, committedMetadata: null }],
        },
      ],
    };
    const fixture = new WireBytes()
      .compactString('g')
      .int32(2)
      .compactString('m')
      .compactString(null)
      .compactArray(1)
      .compactString('t')
      .compactArray(1)
      .int32(1)
      .int64(9n)
      .int32(3)
      .compactString(null)
      .noTags() // partition
      .noTags() // topic
      .noTags()
      .build();
    expectBothWays(offsetCommit.request, 9, value, fixture, { ...value, retentionTimeMs: -1n });
  });

  test('Heartbeat v4 request is the first flexible one', () => {
    const value = { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: 'i' };
    const fixture = new WireBytes().compactString('g').int32(1).compactString('m').compactString('i').noTags().build();
    expectBothWays(heartbeat.request, 4, value, fixture);
  });
});

describe('FindCoordinator v4+', () => {
  test('v4 request is the key type and a batch of keys', () => {
    const value = { keyType: 0, coordinatorKeys: ['a', 'b'] };
    const fixture = new WireBytes().int8(0).compactArray(2).compactString('a').compactString('b').noTags().build();
    expectBothWays(findCoordinator.request, 4, value, fixture, { key: '', ...value });
  });

  test('v6 response answers every key with its coordinator or its own error', () => {
    const value = {
      throttleTimeMs: 0,
      coordinators: [
        { key: 'a', nodeId: 1, host: 'h', port: 9092, errorCode: 0, errorMessage: null },
        { key: 'b', nodeId: -1, host: '', port: -1, errorCode: 15, errorMessage: 'loading' },
      ],
    };
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(2)
      .compactString('a')
      .int32(1)
      .compactString('h')
      .int32(9092)
      .int16(0)
      .compactString(null)
      .noTags()
      .compactString('b')
      .int32(-1)
      .compactString('')
      .int32(-1)
      .int16(15)
      .compactString('loading')
      .noTags()
      .noTags()
      .build();
    const decoded = { ...value, errorCode: 0, errorMessage: '', nodeId: 0, host: '', port: 0 };
    expectBothWays(findCoordinator.response, 6, value, fixture, decoded);
  });
});

describe('JoinGroup v8-9, LeaveGroup v5, SyncGroup v5', () => {
  const protocols = [{ name: 'range', metadata: Buffer.from([7]) }];

  test('JoinGroup v8 request ends with the reason', () => {
    const value = {
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 30_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols,
      reason: 'need to re-join',
    };
    const fixture = new WireBytes()
      .compactString('g')
      .int32(10_000)
      .int32(30_000)
      .compactString('')
      .compactString(null)
      .compactString('consumer')
      .compactArray(1)
      .compactString('range')
      .compactBytes(Buffer.from([7]))
      .noTags() // protocol
      .compactString('need to re-join')
      .noTags()
      .build();
    expectBothWays(joinGroup.request, 8, value, fixture);
  });

  test('JoinGroup v9 response has the protocol type before the name and skipAssignment after the leader', () => {
    const value = {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 3,
      protocolType: 'consumer',
      protocolName: 'range',
      leader: 'm-1',
      skipAssignment: true,
      memberId: 'm-1',
      members: [{ memberId: 'm-1', groupInstanceId: 's-1', metadata: Buffer.from([1]) }],
    };
    const fixture = new WireBytes()
      .int32(0)
      .int16(0)
      .int32(3)
      .compactString('consumer')
      .compactString('range')
      .compactString('m-1')
      .bool(true)
      .compactString('m-1')
      .compactArray(1)
      .compactString('m-1')
      .compactString('s-1')
      .compactBytes(Buffer.from([1]))
      .noTags() // member
      .noTags()
      .build();
    expectBothWays(joinGroup.response, 9, value, fixture);
  });

  test('LeaveGroup v5 request carries a reason per member', () => {
    const value = { groupId: 'g', members: [{ memberId: 'm', groupInstanceId: null, reason: 'shutting down' }] };
    const fixture = new WireBytes()
      .compactString('g')
      .compactArray(1)
      .compactString('m')
      .compactString(null)
      .compactString('shutting down')
      .noTags() // member
      .noTags()
      .build();
    expectBothWays(leaveGroup.request, 5, value, fixture, { ...value, memberId: '' });
  });

  test('SyncGroup v5 request and response carry the protocol type and name', () => {
    const request = {
      groupId: 'g',
      generationId: 3,
      memberId: 'm',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: 'm', assignment: Buffer.from([2]) }],
    };
    const requestBytes = new WireBytes()
      .compactString('g')
      .int32(3)
      .compactString('m')
      .compactString(null)
      .compactString('consumer')
      .compactString('range')
      .compactArray(1)
      .compactString('m')
      .compactBytes(Buffer.from([2]))
      .noTags() // assignment
      .noTags()
      .build();
    expectBothWays(syncGroup.request, 5, request, requestBytes);
    const response = {
      throttleTimeMs: 0,
      errorCode: 0,
      protocolType: 'consumer',
      protocolName: 'range',
      assignment: Buffer.from([2]),
    };
    const responseBytes = new WireBytes()
      .int32(0)
      .int16(0)
      .compactString('consumer')
      .compactString('range')
      .compactBytes(Buffer.from([2]))
      .noTags()
      .build();
    expectBothWays(syncGroup.response, 5, response, responseBytes);
  });
});

describe('DescribeGroups v6, ListGroups v5, DeleteGroups v2', () => {
  test('DescribeGroups v6 response has the error message after the error code', () => {
    const value = {
      throttleTimeMs: 0,
      groups: [
        {
          errorCode: 69,
          errorMessage: 'Group g not found.',
          groupId: 'g',
          groupState: 'Dead',
          protocolType: '',
          protocolData: '',
          members: [],
          authorizedOperations: -2147483648,
        },
      ],
    };
    const fixture = new WireBytes()
      .int32(0)
      .compactArray(1)
      .int16(69)
      .compactString('Group g not found.')
      .compactString('g')
      .compactString('Dead')
      .compactString('')
      .compactString('')
      .compactArray(0)
      .int32(-2147483648)
      .noTags() // group
      .noTags()
      .build();
    expectBothWays(describeGroups.response, 6, value, fixture);
  });

  test('ListGroups v5 request filters by state and type; the response reports both', () => {
    const request = { statesFilter: ['Stable'], typesFilter: ['classic'] };
    const requestBytes = new WireBytes()
      .compactArray(1)
      .compactString('Stable')
      .compactArray(1)
      .compactString('classic')
      .noTags()
      .build();
    expectBothWays(listGroups.request, 5, request, requestBytes);
    const response = {
      throttleTimeMs: 0,
      errorCode: 0,
      groups: [{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }],
    };
    const responseBytes = new WireBytes()
      .int32(0)
      .int16(0)
      .compactArray(1)
      .compactString('g')
      .compactString('consumer')
      .compactString('Stable')
      .compactString('classic')
      .noTags() // group
      .noTags()
      .build();
    expectBothWays(listGroups.response, 5, response, responseBytes);
  });

  test('ListGroups v4 request has the states filter only', () => {
    const requestBytes = new WireBytes().compactArray(1).compactString('Empty').noTags().build();
    expectBothWays(listGroups.request, 4, { statesFilter: ['Empty'] }, requestBytes, {
      statesFilter: ['Empty'],
      typesFilter: [],
    });
  });

  test('DeleteGroups v2 is the flexible v1', () => {
    const request = new WireBytes().compactArray(1).compactString('g').noTags().build();
    expectBothWays(deleteGroups.request, 2, { groupsNames: ['g'] }, request);
    const value = { throttleTimeMs: 0, results: [{ groupId: 'g', errorCode: 68 }] };
    const response = new WireBytes()
      .int32(0)
      .compactArray(1)
      .compactString('g')
      .int16(68)
      .noTags() // result
      .noTags()
      .build();
    expectBothWays(deleteGroups.response, 2, value, response);
  });
});
