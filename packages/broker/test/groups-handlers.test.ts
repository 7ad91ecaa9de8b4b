/**
 * The group handlers through the decoded request and response types, on a
 * real coordinator with an in-memory store: per-version mapping (v0 join
 * without a rebalance timeout, MEMBER_ID_REQUIRED from v4, LeaveGroup's
 * single and batch forms, OffsetFetch's error placement), unknown topics,
 * the bad inputs of issue 5's acceptance, and every response encoding at
 * the version it answers.
 */
import { advertisedApis, ErrorCode, type OffsetFetchResponse, type TxnOffsetCommitResponse } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { encodeSubscription } from '../src/groups/consumer-protocol.ts';
import { joinRequest, setup, stable } from './groups-handler-fixture.ts';

const E = ErrorCode;

describe('group handlers', () => {
  it('serve exactly the versions of the ApiVersions table', () => {
    const { handlers } = setup();
    expect([...handlers.keys()].sort((a, b) => a - b)).toEqual([8, 9, 11, 12, 13, 14, 15, 16, 28, 42, 47]);
    for (const h of handlers.values()) {
      const row = advertisedApis.find((a) => a.apiKey === h.apiKey);
      expect([h.apiKey, h.minVersion, h.maxVersion]).toEqual([h.apiKey, row?.minVersion, row?.maxVersion]);
    }
  });

  it('JoinGroup v5 with no member id answers MEMBER_ID_REQUIRED, then joins with the id; the leader sees the members', async () => {
    const { call } = setup();
    const first = await call(11, 5, joinRequest());
    expect(first).toMatchObject({ errorCode: E.MEMBER_ID_REQUIRED, memberId: 'cli-u1' });
    const joined = await call(11, 5, joinRequest({ memberId: 'cli-u1' }));
    expect(joined).toMatchObject({ errorCode: E.NONE, generationId: 1, leader: 'cli-u1', protocolName: 'range' });
    expect(joined.members).toEqual([
      { memberId: 'cli-u1', groupInstanceId: null, metadata: encodeSubscription(['t']) },
    ]);
  });

  it('JoinGroup v0 joins at once (no KIP-394) with the session timeout as rebalance timeout', async () => {
    const { call, coordinator } = setup();
    const { rebalanceTimeoutMs: _, ...v0 } = joinRequest();
    expect(await call(11, 0, v0)).toMatchObject({ errorCode: E.NONE, memberId: 'cli-u1', generationId: 1 });
    expect(coordinator.describeGroup('g').members[0]).toMatchObject({ clientId: 'cli', clientHost: '/10.0.0.9' });
  });

  it('JoinGroup with an unknown protocol type answers INCONSISTENT_GROUP_PROTOCOL', async () => {
    const { call } = setup();
    await stable(call);
    const response = await call(11, 2, joinRequest({ protocolType: 'not-consumer' }));
    expect(response.errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('SyncGroup from a non-member answers UNKNOWN_MEMBER_ID', async () => {
    const { call } = setup();
    await stable(call);
    const response = await call(14, 1, { groupId: 'g', generationId: 1, memberId: 'intruder', assignments: [] });
    expect(response).toMatchObject({ errorCode: E.UNKNOWN_MEMBER_ID, assignment: Buffer.alloc(0) });
  });

  it('Heartbeat v3 from the member answers NONE', async () => {
    const { call } = setup();
    const memberId = await stable(call);
    expect(await call(12, 3, { groupId: 'g', generationId: 1, memberId, groupInstanceId: null })).toMatchObject({
      errorCode: E.NONE,
    });
  });

  it('OffsetCommit with a stale generation answers ILLEGAL_GENERATION; unknown topics UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const { call } = setup();
    const memberId = await stable(call);
    const partitions = [{ partitionIndex: 0, committedOffset: 3n, committedLeaderEpoch: 1, committedMetadata: null }];
    const commit = (generationId: number, topic = 't') =>
      call(8, 7, {
        groupId: 'g',
        generationId,
        memberId,
        groupInstanceId: null,
        topics: [{ name: topic, partitions }],
      });
    expect(await commit(0)).toMatchObject({
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: E.ILLEGAL_GENERATION }] }],
    });
    expect(await commit(1, 'nope')).toMatchObject({
      topics: [{ name: 'nope', partitions: [{ partitionIndex: 0, errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }] }],
    });
    expect(await commit(1)).toMatchObject({ topics: [{ partitions: [{ errorCode: E.NONE }] }] });
    const fetched = await call(9, 5, { groupId: 'g', topics: null });
    expect(fetched).toEqual({
      throttleTimeMs: 0,
      errorCode: E.NONE,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 3n, committedLeaderEpoch: 1, metadata: '', errorCode: E.NONE },
          ],
        },
      ],
    });
  });

  it('OffsetCommit v2 simple commit (generation -1) and OffsetFetch v1 of one committed and one empty partition', async () => {
    const { call } = setup();
    await call(8, 2, {
      groupId: 'simple',
      generationId: -1,
      memberId: '',
      retentionTimeMs: -1n,
      topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 8n, committedMetadata: 'meta' }] }],
    });
    const fetched = await call(9, 1, { groupId: 'simple', topics: [{ name: 't', partitionIndexes: [1, 2] }] });
    expect(fetched.topics).toEqual([
      {
        name: 't',
        partitions: [
          { partitionIndex: 1, committedOffset: 8n, committedLeaderEpoch: -1, metadata: 'meta', errorCode: E.NONE },
          { partitionIndex: 2, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
        ],
      },
    ]);
  });

  it('OffsetFetch on a group this broker does not coordinate: per partition at v1, top-level from v2', async () => {
    const { call } = setup(false);
    const request = { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] };
    const v1 = await call(9, 1, request);
    expect(v1.topics).toEqual([
      { name: 't', partitions: [expect.objectContaining({ committedOffset: -1n, errorCode: E.NOT_COORDINATOR })] },
    ]);
    expect(await call(9, 3, request)).toMatchObject({ errorCode: E.NOT_COORDINATOR, topics: [] });
  });

  it('LeaveGroup v1 reports the one member in the top-level code; v3 reports each member', async () => {
    const { call } = setup();
    expect(await call(13, 1, { groupId: 'g', memberId: 'ghost' })).toMatchObject({ errorCode: E.UNKNOWN_MEMBER_ID });
    const memberId = await stable(call);
    const v3 = await call(13, 3, {
      groupId: 'g',
      members: [
        { memberId, groupInstanceId: null },
        { memberId: 'ghost', groupInstanceId: null },
      ],
    });
    expect(v3).toEqual({
      throttleTimeMs: 0,
      errorCode: E.NONE,
      members: [
        { memberId, groupInstanceId: null, errorCode: E.NONE },
        { memberId: 'ghost', groupInstanceId: null, errorCode: E.UNKNOWN_MEMBER_ID },
      ],
    });
  });

  it('DescribeGroups, ListGroups, OffsetDelete and DeleteGroups on a group that is then emptied', async () => {
    const { call } = setup();
    const memberId = await stable(call);
    const described = await call(15, 4, { groups: ['g', 'other'], includeAuthorizedOperations: false });
    expect(described.groups).toMatchObject([
      {
        groupId: 'g',
        groupState: 'Stable',
        protocolType: 'consumer',
        protocolData: 'range',
        members: [{ memberId, clientId: 'cli', memberAssignment: Buffer.from('x') }],
      },
      { groupId: 'other', groupState: 'Dead', errorCode: E.NONE },
    ]);
    expect(await call(16, 2, {})).toEqual({
      throttleTimeMs: 0,
      errorCode: E.NONE,
      groups: [{ groupId: 'g', protocolType: 'consumer' }],
    });
    expect(await call(42, 1, { groupsNames: ['g', 'missing'] })).toMatchObject({
      results: [
        { groupId: 'g', errorCode: E.NON_EMPTY_GROUP },
        { groupId: 'missing', errorCode: E.GROUP_ID_NOT_FOUND },
      ],
    });
    const offsetDelete = { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] };
    expect(await call(47, 0, offsetDelete)).toMatchObject({
      errorCode: E.NONE,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: E.GROUP_SUBSCRIBED_TO_TOPIC }] }],
    });
    await call(13, 3, { groupId: 'g', members: [{ memberId, groupInstanceId: null }] });
    expect(await call(47, 0, offsetDelete)).toMatchObject({ topics: [{ partitions: [{ errorCode: E.NONE }] }] });
    expect(await call(42, 1, { groupsNames: ['g'] })).toMatchObject({ results: [{ groupId: 'g', errorCode: E.NONE }] });
    expect(await call(47, 0, offsetDelete)).toMatchObject({ errorCode: E.GROUP_ID_NOT_FOUND });
  });

  it('TxnOffsetCommit v0-5: pending until the marker; OffsetFetch v7 with requireStable answers UNSTABLE_OFFSET_COMMIT', async () => {
    const { call, coordinator, store } = setup();
    const txnCommit = (version: number, offset: bigint, topic = 't') =>
      call(28, version, {
        transactionalId: 'tx',
        groupId: 'g',
        producerId: 7n,
        producerEpoch: 0,
        topics: [
          {
            name: topic,
            partitions: [
              { partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: 4, committedMetadata: null },
            ],
          },
        ],
      });
    for (const version of [0, 1, 2, 3, 4, 5]) {
      expect(await txnCommit(version, BigInt(version))).toEqual({
        throttleTimeMs: 0,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: E.NONE }] }],
      });
    }
    expect(await txnCommit(3, 1n, 'nope')).toMatchObject({
      topics: [{ name: 'nope', partitions: [{ errorCode: E.UNKNOWN_TOPIC_OR_PARTITION }] }],
    });
    const noGroup = await call(28, 3, {
      transactionalId: 'tx',
      groupId: '',
      producerId: 7n,
      producerEpoch: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }],
    });
    expect(noGroup).toMatchObject({ topics: [{ partitions: [{ errorCode: E.INVALID_GROUP_ID }] }] });
    const asked = { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] };
    const partitionOf = (r: Record<string, unknown>) =>
      (r as unknown as OffsetFetchResponse).topics?.[0]?.partitions[0];
    expect(partitionOf(await call(9, 5, asked))).toMatchObject({ committedOffset: -1n, errorCode: E.NONE });
    expect(partitionOf(await call(9, 7, { ...asked, requireStable: false }))).toMatchObject({
      committedOffset: -1n,
      errorCode: E.NONE,
    });
    expect(partitionOf(await call(9, 7, { ...asked, requireStable: true }))).toMatchObject({
      committedOffset: -1n,
      errorCode: E.UNSTABLE_OFFSET_COMMIT,
    });
    coordinator.completeTransaction(0, 7n, 'commit', store.logEnd);
    // The last commit (v5) wins; v2+ carry the leader epoch.
    expect(partitionOf(await call(9, 7, { ...asked, requireStable: true }))).toMatchObject({
      committedOffset: 5n,
      committedLeaderEpoch: 4,
      errorCode: E.NONE,
    });
  });

  it('TxnOffsetCommit checks the member from v3 (KIP-447) and ignores those fields below, as v0-2 do not carry them', async () => {
    const { call } = setup();
    const memberId = await stable(call);
    const txnCommit = (version: number, generationId: number) =>
      call(28, version, {
        transactionalId: 'tx',
        groupId: 'g',
        producerId: 7n,
        producerEpoch: 0,
        generationId,
        memberId,
        groupInstanceId: null,
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }],
      });
    const code = (r: Record<string, unknown>) =>
      (r as unknown as TxnOffsetCommitResponse).topics[0]?.partitions[0]?.errorCode;
    expect(code(await txnCommit(3, 5))).toBe(E.ILLEGAL_GENERATION);
    expect(code(await txnCommit(3, 1))).toBe(E.NONE);
    // At v2 the handler drops what the version does not carry: a commit as a non-member.
    expect(code(await txnCommit(2, 5))).toBe(E.NONE);
  });
});
