/**
 * The group APIs at every version Kafka 4.1 added to Runnel's table, through
 * @runnel/client against three broker processes (each request pinned to a
 * version with maxVersion): batched FindCoordinator (v4-6) agrees with the
 * single-key form and with where groups live; a member goes through JoinGroup
 * v6-9, SyncGroup v4-5, Heartbeat v4, OffsetCommit v8-9 and LeaveGroup v4-5;
 * OffsetFetch v8-9 batches groups, each answered by its own coordinator;
 * DescribeGroups v5-6, ListGroups v3-5 and DeleteGroups v2; and GroupAdmin
 * (and `runnel groups list --state`) works at the versions the client
 * negotiates.
 */
import { askCoordinator, type Connection, CoordinatorKeyType, GroupAdmin, KafkaClient } from '@runnel/client';
import { ApiKeys, ErrorCode, type JoinGroupResponse } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { runnel } from '../harness/runnel-cli.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'versions-topic';
let cluster: TestCluster;
let client: KafkaClient;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 1, brokers: 3 });
  await waitFor(async () => (await cluster.metadata(1)).brokers.length === 3, { what: 'three live brokers' });
  client = await KafkaClient.connect({ bootstrap: cluster.bootstrap() });
  const [created] = await client.createTopics([{ name: topic, numPartitions: 2, replicationFactor: 3 }]);
  expect(created?.errorCode).toBe(ErrorCode.NONE);
});

afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

function broker(id: number): Promise<Connection> {
  return client.connectionTo({ host: '127.0.0.1', port: cluster.ports('broker', id).kafka });
}

/** The broker coordinating `groupId`, once FindCoordinator (negotiated: the batched v6) names one. */
async function coordinatorOf(groupId: string): Promise<{ id: number; connection: Connection }> {
  const answer = await waitFor(
    async () => {
      const a = await askCoordinator(await client.anyConnection(), CoordinatorKeyType.group, groupId);
      return a.errorCode === ErrorCode.NONE ? a : undefined;
    },
    { timeoutMs: 30_000, what: `a coordinator for ${groupId}` },
  );
  return { id: answer.nodeId, connection: await broker(answer.nodeId) };
}

/** A ConsumerProtocolSubscription v0 for `topic`: version, topics [string], user data (null). */
const subscription = Buffer.from([0, 0, 0, 0, 0, 1, 0, topic.length, ...Buffer.from(topic), 0xff, 0xff, 0xff, 0xff]);

describe('group APIs at the Kafka 4.1 versions, on three broker processes', () => {
  it('FindCoordinator v4-6 answers each key of a batch as v3 answers it alone; v6 refuses share keys per key', async () => {
    const keys = ['fc-a', 'fc-b', 'fc-c', 'fc-d', 'fc-e', 'fc-f'];
    for (const key of keys) await coordinatorOf(key);
    const any = await broker(2);
    const single = await Promise.all(
      keys.map((key) => any.request(ApiKeys.FindCoordinator, { key, keyType: 0 }, { maxVersion: 3 })),
    );
    expect(single.every((a) => a.errorCode === ErrorCode.NONE)).toBe(true);
    for (const version of [4, 5, 6]) {
      const batched = await any.request(
        ApiKeys.FindCoordinator,
        { keyType: 0, coordinatorKeys: keys },
        { maxVersion: version },
      );
      expect(batched.coordinators?.map((c) => [c.key, c.nodeId, c.port, c.errorCode])).toEqual(
        keys.map((key, i) => [key, single[i]?.nodeId, single[i]?.port, ErrorCode.NONE]),
      );
    }
    // The keys land on more than one broker, so a batch really is answered key by key.
    expect(new Set(single.map((a) => a.nodeId)).size).toBeGreaterThan(1);
    const share = await any.request(ApiKeys.FindCoordinator, { keyType: 2, coordinatorKeys: ['g:t:0'] }, {});
    expect(share.coordinators).toMatchObject([{ key: 'g:t:0', errorCode: ErrorCode.INVALID_REQUEST, nodeId: -1 }]);
    const mixed = await any.request(ApiKeys.FindCoordinator, { keyType: 1, coordinatorKeys: ['tx-v', ''] }, {});
    expect(mixed.coordinators?.map((c) => c.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.INVALID_REQUEST]);
  });

  it('a member at JoinGroup v6-9, SyncGroup v4-5, Heartbeat v4, OffsetCommit v8-9 and LeaveGroup v4-5', async () => {
    const cases = [
      { join: 6, sync: 4, commit: 8, leave: 4 },
      { join: 7, sync: 5, commit: 9, leave: 5 },
      { join: 8, sync: 5, commit: 8, leave: 5 },
      { join: 9, sync: 5, commit: 9, leave: 5 },
    ];
    for (const v of cases) {
      const groupId = `member-v${v.join}`;
      const { connection } = await coordinatorOf(groupId);
      const join = (memberId: string) =>
        connection.request(
          ApiKeys.JoinGroup,
          {
            groupId,
            sessionTimeoutMs: 10_000,
            rebalanceTimeoutMs: 10_000,
            memberId,
            groupInstanceId: null,
            protocolType: 'consumer',
            protocols: [{ name: 'range', metadata: subscription }],
            reason: v.join >= 8 ? `joining at v${v.join}` : null,
          },
          { maxVersion: v.join, timeoutMs: 20_000 },
        );
      // v4+ keeps KIP-394: the first join only hands out the member id.
      const first = await join('');
      expect(first.errorCode, `JoinGroup v${v.join}`).toBe(ErrorCode.MEMBER_ID_REQUIRED);
      const joined: JoinGroupResponse = await join(first.memberId);
      expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, leader: first.memberId, protocolName: 'range' });
      if (v.join >= 7) expect(joined.protocolType).toBe('consumer');
      if (v.join >= 9) expect(joined.skipAssignment).toBe(false);
      const synced = await connection.request(
        ApiKeys.SyncGroup,
        {
          groupId,
          generationId: joined.generationId,
          memberId: joined.memberId,
          groupInstanceId: null,
          protocolType: v.sync >= 5 ? 'consumer' : null,
          protocolName: v.sync >= 5 ? 'range' : null,
          assignments: [{ memberId: joined.memberId, assignment: Buffer.from('a') }],
        },
        { maxVersion: v.sync },
      );
      expect(synced).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.from('a') });
      if (v.sync >= 5) expect(synced).toMatchObject({ protocolType: 'consumer', protocolName: 'range' });
      const member = { groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null };
      const beat = await connection.request(ApiKeys.Heartbeat, member, { maxVersion: 4 });
      expect(beat.errorCode).toBe(ErrorCode.NONE);
      const committed = await connection.request(
        ApiKeys.OffsetCommit,
        {
          ...member,
          topics: [{ name: topic, partitions: [{ partitionIndex: 1, committedOffset: 11n, committedMetadata: 'x' }] }],
        },
        { maxVersion: v.commit },
      );
      expect(committed.topics).toEqual([
        { name: topic, partitions: [{ partitionIndex: 1, errorCode: ErrorCode.NONE }] },
      ]);
      const left = await connection.request(
        ApiKeys.LeaveGroup,
        { groupId, members: [{ memberId: joined.memberId, groupInstanceId: null, reason: 'test done' }] },
        { maxVersion: v.leave },
      );
      expect(left).toMatchObject({ errorCode: ErrorCode.NONE, members: [{ errorCode: ErrorCode.NONE }] });
    }
  });

  it('OffsetCommit v9 to a missing group with a generation is GROUP_ID_NOT_FOUND (v8: ILLEGAL_GENERATION)', async () => {
    const groupId = 'never-joined';
    const { connection } = await coordinatorOf(groupId);
    const body = {
      groupId,
      generationId: 4,
      memberId: 'ghost',
      groupInstanceId: null,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] }],
    };
    const code = async (version: number) =>
      (await connection.request(ApiKeys.OffsetCommit, body, { maxVersion: version })).topics[0]?.partitions[0]
        ?.errorCode;
    expect(await code(9)).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(await code(8)).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('OffsetFetch v8-9 batches groups: each answered with its offsets, or NOT_COORDINATOR where it lives elsewhere', async () => {
    const groups = ['fetch-a', 'fetch-b', 'fetch-c', 'fetch-d', 'fetch-e', 'fetch-f'];
    const where = new Map<string, number>();
    for (const [i, groupId] of groups.entries()) {
      const { id, connection } = await coordinatorOf(groupId);
      where.set(groupId, id);
      const commit = await connection.request(ApiKeys.OffsetCommit, {
        groupId,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [
          {
            name: topic,
            partitions: [{ partitionIndex: 0, committedOffset: BigInt(100 + i), committedMetadata: null }],
          },
        ],
      });
      expect(commit.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.NONE);
    }
    const asked = groups.map((groupId) => ({
      groupId,
      memberId: null,
      memberEpoch: -1,
      topics: [{ name: topic, partitionIndexes: [0] }],
    }));
    for (const id of [1, 2, 3]) {
      for (const version of [8, 9]) {
        const answer = await (await broker(id)).request(
          ApiKeys.OffsetFetch,
          { groups: asked, requireStable: true },
          { maxVersion: version },
        );
        expect(answer.groups?.map((g) => g.groupId)).toEqual(groups);
        for (const [i, g] of (answer.groups ?? []).entries()) {
          if (where.get(g.groupId) === id) {
            expect(g.errorCode).toBe(ErrorCode.NONE);
            expect(g.topics[0]?.partitions[0]).toMatchObject({ committedOffset: BigInt(100 + i), errorCode: 0 });
          } else {
            expect(g).toEqual({ groupId: g.groupId, topics: [], errorCode: ErrorCode.NOT_COORDINATOR });
          }
        }
      }
    }
  });

  it('DescribeGroups v5-6, ListGroups v3-5 filters, DeleteGroups v2 on the coordinator; GroupAdmin at negotiated versions', async () => {
    const groupId = 'admin-v';
    const { id, connection } = await coordinatorOf(groupId);
    await connection.request(ApiKeys.OffsetCommit, {
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: topic, partitions: [{ partitionIndex: 1, committedOffset: 5n, committedMetadata: null }] }],
    });
    const described = await connection.request(
      ApiKeys.DescribeGroups,
      { groups: [groupId, 'admin-missing'], includeAuthorizedOperations: true },
      { maxVersion: 6 },
    );
    expect(described.groups.map((g) => [g.groupId, g.errorCode, g.groupState])).toEqual([
      [groupId, ErrorCode.NONE, 'Empty'],
      ['admin-missing', ErrorCode.GROUP_ID_NOT_FOUND, 'Dead'],
    ]);
    expect(described.groups[1]?.errorMessage).toBe('Group admin-missing not found.');
    const v5 = await connection.request(ApiKeys.DescribeGroups, { groups: ['admin-missing'] }, { maxVersion: 5 });
    expect(v5.groups[0]).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Dead' });

    const listed = async (version: number, body: object) =>
      (await connection.request(ApiKeys.ListGroups, body, { maxVersion: version })).groups.filter(
        (g) => g.groupId === groupId,
      );
    // Fields a version lacks decode as their defaults ('').
    expect(await listed(3, {})).toEqual([{ groupId, protocolType: '', groupState: '', groupType: '' }]);
    expect(await listed(4, { statesFilter: ['EMPTY'] })).toEqual([
      { groupId, protocolType: '', groupState: 'Empty', groupType: '' },
    ]);
    expect(await listed(4, { statesFilter: ['Stable'] })).toEqual([]);
    expect(await listed(5, { statesFilter: [], typesFilter: ['classic'] })).toEqual([
      { groupId, protocolType: '', groupState: 'Empty', groupType: 'classic' },
    ]);
    expect(await listed(5, { statesFilter: [], typesFilter: ['consumer'] })).toEqual([]);

    // GroupAdmin speaks FindCoordinator v6, OffsetFetch v8 and DescribeGroups v6 here.
    const admin = new GroupAdmin(client);
    expect((await admin.findCoordinator(groupId)).nodeId).toBe(id);
    expect(await admin.fetchOffsets(groupId)).toEqual([
      { topic, partition: 1, offset: 5n, metadata: '', errorCode: ErrorCode.NONE },
    ]);
    expect(await admin.describeGroup('admin-missing')).toMatchObject({ errorCode: ErrorCode.NONE, state: 'Dead' });
    expect(connection.versionOf(ApiKeys.OffsetFetch)).toBe(9);
    // GroupAdmin.listGroups and `runnel groups list --state` filter on the brokers (ListGroups v5).
    const empty = await admin.listGroups({ states: ['empty'] });
    expect(empty.groups.filter((g) => g.groupId === groupId)).toEqual([
      { groupId, protocolType: '', state: 'Empty', coordinator: id },
    ]);
    expect((await admin.listGroups({ states: ['Stable'] })).groups.some((g) => g.groupId === groupId)).toBe(false);
    const bootstrap = ['--bootstrap-server', cluster.bootstrap()];
    const cli = await runnel(['groups', 'list', '--state', 'Stable,empty', ...bootstrap]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`^${groupId}\\s+Empty\\s+-\\s+${id}$`, 'm'));
    const stableOnly = await runnel(['groups', 'list', '--state', 'Stable', ...bootstrap]);
    expect(stableOnly.stdout).not.toMatch(new RegExp(`^${groupId}\\s`, 'm'));
    const bogus = await runnel(['groups', 'list', '--state', 'Sleeping', ...bootstrap]);
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toMatch(/unknown state Sleeping; one or more of Stable, PreparingRebalance/);

    const deleted = await connection.request(ApiKeys.DeleteGroups, { groupsNames: [groupId] }, { maxVersion: 2 });
    expect(deleted.results).toEqual([{ groupId, errorCode: ErrorCode.NONE }]);
    expect(await listed(5, { statesFilter: [], typesFilter: [] })).toEqual([]);
  });
});
