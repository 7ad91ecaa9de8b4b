/**
 * Group protocol misuse over the raw wire, on one in-process broker: what a
 * confused or stale client sends, and the Kafka error code real clients
 * react to (librdkafka and kafkajs rejoin on ILLEGAL_GENERATION and
 * UNKNOWN_MEMBER_ID, and give up on INCONSISTENT_GROUP_PROTOCOL).
 */
import { ErrorCode, type JoinGroupResponse } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

let node: InProcessCluster;
let client: ProtocolClient;

beforeAll(async () => {
  node = await startInProcess({ groupInitialRebalanceDelayMs: 0, groupMinSessionTimeoutMs: 1000 });
  client = await ProtocolClient.connect(node.broker.port);
});

afterAll(async () => {
  client?.close();
  await node?.stop();
});

const rangeMetadata = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);

/** FindCoordinator until the group's `__consumer_offsets` partition is created and loaded here. */
async function coordinatorReady(groupId: string): Promise<void> {
  await waitFor(
    async () => {
      const found = await client.request(10, 1, { key: groupId, keyType: 0 });
      if (found.errorCode !== ErrorCode.NONE) return false;
      const fetched = await client.request(9, 5, { groupId, topics: null });
      return fetched.errorCode === ErrorCode.NONE;
    },
    { timeoutMs: 20_000, intervalMs: 50, what: `coordinator of ${groupId} loaded` },
  );
}

/** JoinGroup v5 (KIP-394: the first answer is MEMBER_ID_REQUIRED with the id to come back with). */
async function join(
  groupId: string,
  memberId: string,
  options: { protocolType?: string; protocols?: string[]; sessionTimeoutMs?: number } = {},
): Promise<JoinGroupResponse> {
  return client.request(11, 5, {
    groupId,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId,
    groupInstanceId: null,
    protocolType: options.protocolType ?? 'consumer',
    protocols: (options.protocols ?? ['range']).map((name) => ({ name, metadata: rangeMetadata })),
  });
}

/** A member that joined and synced: the group is Stable at the returned generation. */
async function stableMember(groupId: string): Promise<{ memberId: string; generationId: number }> {
  const first = await join(groupId, '');
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  const joined = await join(groupId, first.memberId);
  expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, leader: first.memberId, memberId: first.memberId });
  const synced = await client.request(14, 3, {
    groupId,
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    assignments: [{ memberId: joined.memberId, assignment: Buffer.alloc(0) }],
  });
  expect(synced.errorCode).toBe(ErrorCode.NONE);
  return { memberId: joined.memberId, generationId: joined.generationId };
}

function commit(groupId: string, memberId: string, generationId: number, offset: bigint) {
  return client.request(8, 7, {
    groupId,
    generationId,
    memberId,
    groupInstanceId: null,
    topics: [
      {
        name: 'groups-bad-input',
        partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }],
      },
    ],
  });
}

describe('group protocol misuse gets the error codes clients expect', () => {
  beforeAll(async () => {
    const created = await client.request(19, 4, {
      topics: [{ name: 'groups-bad-input', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    });
    expect(created.topics[0]?.errorCode).toBe(ErrorCode.NONE);
  });

  it('the broker’s group.min.session.timeout.ms (1000 here) bounds JoinGroup: 999 ms is INVALID_SESSION_TIMEOUT, 1000 joins', async () => {
    const groupId = 'bad-session';
    await coordinatorReady(groupId);
    expect((await join(groupId, '', { sessionTimeoutMs: 999 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    const first = await join(groupId, '', { sessionTimeoutMs: 1000 });
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect((await join(groupId, first.memberId, { sessionTimeoutMs: 1000 })).errorCode).toBe(ErrorCode.NONE);
  });

  it('JoinGroup with an empty protocol type or no protocols to a new group is INCONSISTENT_GROUP_PROTOCOL', async () => {
    await coordinatorReady('bad-empty-type');
    expect((await join('bad-empty-type', '', { protocolType: '' })).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect((await join('bad-empty-type', '', { protocols: [] })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('JoinGroup with another protocol type or no common protocol than the group is INCONSISTENT_GROUP_PROTOCOL', async () => {
    const groupId = 'bad-mismatch';
    await coordinatorReady(groupId);
    const member = await stableMember(groupId);
    const otherType = await join(groupId, '', { protocolType: 'connect' });
    expect(otherType).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, generationId: -1 });
    const noCommon = await join(groupId, '', { protocols: ['roundrobin'] });
    expect(noCommon.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    // The existing member is untouched: its generation still commits.
    const committed = await commit(groupId, member.memberId, member.generationId, 5n);
    expect(committed.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE);
  });

  it('OffsetCommit with a stale generation is ILLEGAL_GENERATION and stores nothing', async () => {
    const groupId = 'bad-generation';
    await coordinatorReady(groupId);
    const first = await stableMember(groupId);
    // Rejoining starts generation 2; the member's generation 1 is now stale.
    const rejoined = await join(groupId, first.memberId);
    expect(rejoined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: first.generationId + 1 });
    const synced = await client.request(14, 3, {
      groupId,
      generationId: rejoined.generationId,
      memberId: first.memberId,
      groupInstanceId: null,
      assignments: [{ memberId: first.memberId, assignment: Buffer.alloc(0) }],
    });
    expect(synced.errorCode).toBe(ErrorCode.NONE);

    const stale = await commit(groupId, first.memberId, first.generationId, 7n);
    expect(stale.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    const heartbeat = await client.request(12, 3, {
      groupId,
      generationId: first.generationId,
      memberId: first.memberId,
      groupInstanceId: null,
    });
    expect(heartbeat.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    const fetched = await client.request(9, 5, {
      groupId,
      topics: [{ name: 'groups-bad-input', partitionIndexes: [0] }],
    });
    expect(fetched.topics?.[0]?.partitions[0]?.committedOffset).toBe(-1n);

    const current = await commit(groupId, first.memberId, rejoined.generationId, 7n);
    expect(current.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE);
  });

  it('SyncGroup, Heartbeat and OffsetCommit from a non-member are UNKNOWN_MEMBER_ID', async () => {
    const groupId = 'bad-stranger';
    await coordinatorReady(groupId);
    const member = await stableMember(groupId);
    const stranger = 'stranger-0000';
    const synced = await client.request(14, 3, {
      groupId,
      generationId: member.generationId,
      memberId: stranger,
      groupInstanceId: null,
      assignments: [],
    });
    expect(synced.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const heartbeat = await client.request(12, 3, {
      groupId,
      generationId: member.generationId,
      memberId: stranger,
      groupInstanceId: null,
    });
    expect(heartbeat.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const committed = await commit(groupId, stranger, member.generationId, 3n);
    expect(committed.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // SyncGroup to a group nobody ever joined: also UNKNOWN_MEMBER_ID (what Kafka answers).
    await coordinatorReady('bad-never-joined');
    const nobody = await client.request(14, 3, {
      groupId: 'bad-never-joined',
      generationId: 1,
      memberId: stranger,
      groupInstanceId: null,
      assignments: [],
    });
    expect(nobody.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});
