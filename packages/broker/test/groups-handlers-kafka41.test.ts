/**
 * What the Kafka 4.1 versions of the group APIs mean, through the handlers
 * on a real coordinator: OffsetFetch v8 batches (an error per group) and v9's
 * member fields (ignored for classic groups), OffsetCommit v9's
 * GROUP_ID_NOT_FOUND, JoinGroup v7+ protocol fields, v8 reasons and v9
 * skipAssignment, SyncGroup v5's protocol check, LeaveGroup v5 reasons,
 * DescribeGroups v6's GROUP_ID_NOT_FOUND and authorized operations, and
 * ListGroups v4-5 filters. Every response is also encoded at its version.
 */
import { type Logger, silentLogger } from '@runnel/common';
import { ErrorCode, type JoinGroupResponse } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { partitionForGroup } from '../src/groups/types.ts';
import { describedGroupOperations, groupAuthorizedOperations } from '../src/handlers/groups-admin.ts';
import { joinRequest, setup, stable } from './groups-handler-fixture.ts';

const E = ErrorCode;

/** A logger that keeps the (message, fields) of its info lines. */
function capturingLogger(): { logger: Logger; lines: { msg: string; fields: Record<string, unknown> }[] } {
  const lines: { msg: string; fields: Record<string, unknown> }[] = [];
  const logger = silentLogger();
  logger.info = ((fields: Record<string, unknown>, msg: string) => {
    lines.push({ msg, fields });
  }) as Logger['info'];
  return { logger, lines };
}

/** A group id whose offsets partition (of 2) is `partition`. */
function groupOn(partition: number, prefix: string): string {
  for (let i = 0; ; i++) if (partitionForGroup(`${prefix}-${i}`, 2) === partition) return `${prefix}-${i}`;
}

const commitT0 = (groupId: string, generationId: number, memberId = '') => ({
  groupId,
  generationId,
  memberId,
  groupInstanceId: null,
  topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedMetadata: 'm' }] }],
});

describe('OffsetFetch v8-9 and OffsetCommit v9', () => {
  it('v8 answers a batch of groups, each with its offsets or its own error', async () => {
    const { call } = setup(true, { partitions: 2 });
    const hosted = groupOn(0, 'hosted');
    const elsewhere = groupOn(1, 'elsewhere');
    expect(await call(8, 9, commitT0(hosted, -1))).toMatchObject({ topics: [{ partitions: [{ errorCode: E.NONE }] }] });
    const response = await call(9, 8, {
      groups: [
        { groupId: hosted, topics: [{ name: 't', partitionIndexes: [0, 1] }] },
        { groupId: elsewhere, topics: null },
        { groupId: groupOn(0, 'never-committed'), topics: null },
      ],
      requireStable: false,
    });
    expect(response).toEqual({
      throttleTimeMs: 0,
      groups: [
        {
          groupId: hosted,
          errorCode: E.NONE,
          topics: [
            {
              name: 't',
              partitions: [
                { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: -1, metadata: 'm', errorCode: E.NONE },
                { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: E.NONE },
              ],
            },
          ],
        },
        { groupId: elsewhere, errorCode: E.NOT_COORDINATOR, topics: [] },
        { groupId: expect.any(String), errorCode: E.NONE, topics: [] },
      ],
    });
  });

  it('v9 member id and epoch do not change a classic group answer; v8 requireStable sees pending transactions', async () => {
    const { call } = setup();
    await call(8, 9, commitT0('g', -1));
    const asked = { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] };
    const plain = await call(9, 9, { groups: [asked], requireStable: false });
    const asMember = await call(9, 9, {
      groups: [{ ...asked, memberId: 'someone', memberEpoch: 12 }],
      requireStable: false,
    });
    expect(asMember).toEqual(plain);
    expect(plain).toMatchObject({ groups: [{ topics: [{ partitions: [{ committedOffset: 42n }] }] }] });
    await call(28, 3, {
      transactionalId: 'tx',
      groupId: 'g',
      producerId: 7n,
      producerEpoch: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 50n, committedMetadata: null }] }],
    });
    const stable = await call(9, 8, { groups: [asked], requireStable: true });
    expect(stable).toMatchObject({
      groups: [{ errorCode: E.NONE, topics: [{ partitions: [{ errorCode: E.UNSTABLE_OFFSET_COMMIT }] }] }],
    });
  });

  it('OffsetCommit v9 answers GROUP_ID_NOT_FOUND to a member commit for a missing group, v8 ILLEGAL_GENERATION', async () => {
    const { call } = setup();
    const code = (r: Record<string, unknown>) =>
      (r as { topics: { partitions: { errorCode: number }[] }[] }).topics[0]?.partitions[0]?.errorCode;
    expect(code(await call(8, 9, commitT0('missing', 3, 'm-1')))).toBe(E.GROUP_ID_NOT_FOUND);
    expect(code(await call(8, 8, commitT0('missing', 3, 'm-1')))).toBe(E.ILLEGAL_GENERATION);
    // A simple commit (generation -1) still creates the group at v9.
    expect(code(await call(8, 9, commitT0('missing', -1)))).toBe(E.NONE);
  });
});

describe('JoinGroup v7-9, SyncGroup v5, LeaveGroup v5', () => {
  it('JoinGroup v7+ answers the protocol type, and null protocol fields on an error', async () => {
    const { call } = setup();
    const first = await call(11, 7, joinRequest());
    expect(first).toMatchObject({ errorCode: E.MEMBER_ID_REQUIRED, protocolType: null, protocolName: null });
    const joined = await call(11, 7, joinRequest({ memberId: first.memberId as string }));
    expect(joined).toMatchObject({ errorCode: E.NONE, protocolType: 'consumer', protocolName: 'range' });
  });

  it('JoinGroup v8 and LeaveGroup v5 reasons reach the coordinator log; v4 keeps the MEMBER_ID_REQUIRED round', async () => {
    const { logger, lines } = capturingLogger();
    const { call } = setup(true, { logger });
    const first = (await call(11, 8, joinRequest({ reason: 'first start' }))) as unknown as JoinGroupResponse;
    expect(first.errorCode).toBe(E.MEMBER_ID_REQUIRED);
    const joined = await call(11, 8, joinRequest({ memberId: first.memberId, reason: 'need to re-join with the id' }));
    expect(joined.errorCode).toBe(E.NONE);
    await call(13, 5, { groupId: 'g', members: [{ memberId: first.memberId, groupInstanceId: null, reason: 'bye' }] });
    expect(lines.filter((l) => l.msg.startsWith('member '))).toEqual([
      { msg: 'member joins group', fields: { groupId: 'g', memberId: '', reason: 'first start' } },
      {
        msg: 'member joins group',
        fields: { groupId: 'g', memberId: first.memberId, reason: 'need to re-join with the id' },
      },
      {
        msg: 'member leaves group',
        fields: { groupId: 'g', memberId: first.memberId, groupInstanceId: null, reason: 'bye' },
      },
    ]);
  });

  it('JoinGroup v9 tells a static leader that replaced itself in a Stable group to skip the assignment', async () => {
    const { call } = setup();
    const join = (version: number) => call(11, version, joinRequest({ groupInstanceId: 'static-1' }));
    const first = await join(9);
    expect(first).toMatchObject({ errorCode: E.NONE, skipAssignment: false, generationId: 1 });
    await call(14, 5, {
      groupId: 'g',
      generationId: 1,
      memberId: first.memberId,
      groupInstanceId: 'static-1',
      assignments: [{ memberId: first.memberId, assignment: Buffer.from('x') }],
    });
    const restarted = await join(9);
    expect(restarted).toMatchObject({ errorCode: E.NONE, generationId: 1, skipAssignment: true });
    expect(restarted.leader).toBe(restarted.memberId);
    expect(restarted.members).toHaveLength(1);
    // Below v9 the same rejoin carries no skipAssignment field at all.
    const older = await join(8);
    expect(older).toMatchObject({ errorCode: E.NONE, generationId: 1 });
    expect(older).not.toHaveProperty('skipAssignment');
  });

  it('SyncGroup v5 refuses another protocol with INCONSISTENT_GROUP_PROTOCOL and answers the group protocol', async () => {
    const { call } = setup();
    const first = (await call(11, 9, joinRequest())) as unknown as JoinGroupResponse;
    const joined = (await call(11, 9, joinRequest({ memberId: first.memberId }))) as unknown as JoinGroupResponse;
    const sync = (protocolType: string | null, protocolName: string | null) =>
      call(14, 5, {
        groupId: 'g',
        generationId: joined.generationId,
        memberId: joined.memberId,
        groupInstanceId: null,
        protocolType,
        protocolName,
        assignments: [{ memberId: joined.memberId, assignment: Buffer.from('x') }],
      });
    expect(await sync('consumer', 'roundrobin')).toMatchObject({
      errorCode: E.INCONSISTENT_GROUP_PROTOCOL,
      protocolType: null,
      protocolName: null,
    });
    expect(await sync('connect', null)).toMatchObject({ errorCode: E.INCONSISTENT_GROUP_PROTOCOL });
    expect(await sync(null, null)).toEqual({
      throttleTimeMs: 0,
      errorCode: E.NONE,
      protocolType: 'consumer',
      protocolName: 'range',
      assignment: Buffer.from('x'),
    });
  });
});

describe('DescribeGroups v3-6 and ListGroups v4-5', () => {
  it('DescribeGroups v6 answers GROUP_ID_NOT_FOUND with a message; v5 a Dead group; operations when asked', async () => {
    const { call } = setup();
    await stable(call);
    const v6 = await call(15, 6, { groups: ['g', 'nobody'], includeAuthorizedOperations: true });
    expect(v6.groups).toMatchObject([
      { groupId: 'g', errorCode: E.NONE, errorMessage: null, groupState: 'Stable' },
      {
        groupId: 'nobody',
        errorCode: E.GROUP_ID_NOT_FOUND,
        errorMessage: 'Group nobody not found.',
        groupState: 'Dead',
        members: [],
      },
    ]);
    const operations = (v6.groups as { authorizedOperations: number }[]).map((g) => g.authorizedOperations);
    // Computed for the group described without an error only: Kafka leaves a GROUP_ID_NOT_FOUND answer's
    // field at its "not computed" default even when asked.
    expect(operations).toEqual([groupAuthorizedOperations, -2147483648]);
    // READ, DELETE and DESCRIBE in Kafka's AclOperation numbering.
    expect(groupAuthorizedOperations).toBe(8 + 64 + 256);
    const v5 = await call(15, 5, { groups: ['nobody'], includeAuthorizedOperations: false });
    expect(v5.groups).toMatchObject([{ errorCode: E.NONE, groupState: 'Dead', authorizedOperations: -2147483648 }]);
    // v5 describes a missing group as Dead with no error, so, asked, it does carry the operations.
    const v5Asked = await call(15, 5, { groups: ['nobody'], includeAuthorizedOperations: true });
    expect(v5Asked.groups).toMatchObject([{ errorCode: E.NONE, authorizedOperations: groupAuthorizedOperations }]);
  });

  it('authorized operations only when asked, from v3, and for a group without an error', () => {
    expect(describedGroupOperations(3, true, E.NONE)).toBe(groupAuthorizedOperations);
    expect(describedGroupOperations(2, true, E.NONE)).toBe(-2147483648);
    expect(describedGroupOperations(6, false, E.NONE)).toBe(-2147483648);
    expect(describedGroupOperations(6, true, E.GROUP_ID_NOT_FOUND)).toBe(-2147483648);
    expect(describedGroupOperations(5, true, E.NOT_COORDINATOR)).toBe(-2147483648);
  });

  it('ListGroups v4 filters by state (any case) and reports states; v5 filters by type and reports "classic"', async () => {
    const { call } = setup();
    const memberId = await stable(call);
    await call(8, 9, commitT0('simple', -1));
    const list = async (version: number, request: object) =>
      ((await call(16, version, request)) as { groups: Record<string, unknown>[] }).groups;
    expect(await list(4, { statesFilter: [] })).toEqual([
      { groupId: 'g', protocolType: 'consumer', groupState: 'Stable' },
      { groupId: 'simple', protocolType: '', groupState: 'Empty' },
    ]);
    expect(await list(4, { statesFilter: ['stable'] })).toEqual([
      { groupId: 'g', protocolType: 'consumer', groupState: 'Stable' },
    ]);
    expect(await list(4, { statesFilter: [' Empty ', 'PreparingRebalance'] })).toMatchObject([{ groupId: 'simple' }]);
    expect(await list(5, { statesFilter: [], typesFilter: ['Classic'] })).toEqual([
      { groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
      { groupId: 'simple', protocolType: '', groupState: 'Empty', groupType: 'classic' },
    ]);
    expect(await list(5, { statesFilter: [], typesFilter: ['consumer'] })).toEqual([]);
    expect(await list(5, { statesFilter: ['Stable'], typesFilter: ['classic', 'share'] })).toMatchObject([
      { groupId: 'g' },
    ]);
    // Below v4 the request has no filter and the answer no state.
    expect(await list(3, {})).toEqual([
      { groupId: 'g', protocolType: 'consumer' },
      { groupId: 'simple', protocolType: '' },
    ]);
    await call(13, 5, { groupId: 'g', members: [{ memberId, groupInstanceId: null, reason: null }] });
    expect(await list(4, { statesFilter: ['Empty'] })).toHaveLength(2);
  });

  it('DeleteGroups v0 and v2 answer like v1', async () => {
    const { call } = setup();
    await call(8, 9, commitT0('simple', -1));
    expect(await call(42, 0, { groupsNames: ['missing'] })).toMatchObject({
      results: [{ groupId: 'missing', errorCode: E.GROUP_ID_NOT_FOUND }],
    });
    expect(await call(42, 2, { groupsNames: ['simple'] })).toEqual({
      throttleTimeMs: 0,
      results: [{ groupId: 'simple', errorCode: E.NONE }],
    });
  });
});
