/**
 * The GroupCoordinator runtime against an in-memory store and manual
 * timers: routing by `__consumer_offsets` partition (NOT_COORDINATOR,
 * COORDINATOR_LOAD_IN_PROGRESS), real timers driving session expiry and
 * retention, writes going through the store, and unloading.
 */
import { ManualClock } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { GroupCoordinator } from '../src/groups/group-coordinator.ts';
import { partitionForGroup } from '../src/groups/types.ts';
import { FakeStore, ManualTimers, settle } from './groups-fakes.ts';
import { joinInput, sessionMs } from './groups-harness.ts';

const E = ErrorCode;
const partitions = 4;
const groupPartition = partitionForGroup('g', partitions);
const empty = { groups: new Map(), offsets: new Map(), pendingTxnOffsets: new Map() };

function setup(options: { retentionMs?: number; checkMs?: number } = {}) {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  const store = new FakeStore();
  let n = 0;
  const coordinator = new GroupCoordinator({
    store,
    clock,
    timers,
    newMemberSuffix: () => `u${++n}`,
    config: {
      offsetsTopicPartitions: partitions,
      initialRebalanceDelayMs: 0,
      offsetsRetentionMs: options.retentionMs ?? 7 * 24 * 3600_000,
      offsetsRetentionCheckIntervalMs: options.checkMs ?? 600_000,
    },
  });
  return { clock, timers, store, coordinator };
}

async function stableSingle(coordinator: GroupCoordinator): Promise<string> {
  const joined = await coordinator.joinGroup(joinInput());
  expect(joined.errorCode).toBe(E.NONE);
  const synced = await coordinator.syncGroup({
    groupId: 'g',
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    assignments: [{ memberId: joined.memberId, assignment: Buffer.from('x') }],
  });
  expect(synced.errorCode).toBe(E.NONE);
  return joined.memberId;
}

const commitInput = {
  groupId: 'g',
  generationId: -1,
  memberId: '',
  groupInstanceId: null,
  offsets: [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }],
};

describe('GroupCoordinator routing', () => {
  it('answers NOT_COORDINATOR for groups of partitions it does not host, COORDINATOR_LOAD_IN_PROGRESS while loading', async () => {
    const { coordinator } = setup();
    expect((await coordinator.joinGroup(joinInput())).errorCode).toBe(E.NOT_COORDINATOR);
    expect((await coordinator.commitOffsets(commitInput)).partitions[0]?.errorCode).toBe(E.NOT_COORDINATOR);
    expect(coordinator.fetchOffsets('g', null).errorCode).toBe(E.NOT_COORDINATOR);
    expect(coordinator.describeGroup('g').errorCode).toBe(E.NOT_COORDINATOR);
    coordinator.loading(groupPartition);
    expect(await coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null })).toBe(
      E.COORDINATOR_LOAD_IN_PROGRESS,
    );
    expect(coordinator.listGroups().errorCode).toBe(E.COORDINATOR_LOAD_IN_PROGRESS);
    coordinator.loaded(groupPartition, empty);
    expect((await coordinator.joinGroup(joinInput())).errorCode).toBe(E.NONE);
    expect(coordinator.listGroups()).toEqual({
      errorCode: E.NONE,
      groups: [{ groupId: 'g', protocolType: 'consumer', state: 'CompletingRebalance' }],
    });
  });

  it('an empty group id is INVALID_GROUP_ID for membership requests wherever it would route', async () => {
    const { coordinator } = setup();
    expect((await coordinator.joinGroup(joinInput({ groupId: '' }))).errorCode).toBe(E.INVALID_GROUP_ID);
  });
});

describe('GroupCoordinator runtime', () => {
  it('persists the leader assignment through the store and expires a silent member on its session timer', async () => {
    const { coordinator, store, timers } = setup();
    coordinator.loaded(groupPartition, empty);
    const member = await stableSingle(coordinator);
    expect(store.groups.get('g')?.members.map((m) => m.memberId)).toEqual([member]);
    timers.advance(sessionMs - 1);
    expect(coordinator.describeGroup('g').state).toBe('Stable');
    timers.advance(1);
    await settle();
    expect(coordinator.describeGroup('g').state).toBe('Empty');
    expect(store.groups.get('g')).toMatchObject({ generation: 2, members: [] });
  });

  it('heartbeats keep a member past its session timeout', async () => {
    const { coordinator, timers } = setup();
    coordinator.loaded(groupPartition, empty);
    const member = await stableSingle(coordinator);
    for (let i = 0; i < 5; i++) {
      timers.advance(sessionMs / 2);
      expect(
        await coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: member, groupInstanceId: null }),
      ).toBe(E.NONE);
    }
  });

  it('commits go to the store before they are visible; a store failure is the Kafka code', async () => {
    const { coordinator, store } = setup();
    coordinator.loaded(groupPartition, empty);
    expect((await coordinator.commitOffsets(commitInput)).partitions[0]?.errorCode).toBe(E.NONE);
    expect(store.offsetWrites).toEqual([
      {
        groupId: 'g',
        offsets: [{ topic: 't', partition: 0, value: expect.objectContaining({ offset: 5n }) }],
        transaction: null,
        baseOffset: 0n,
      },
    ]);
    expect(coordinator.committedOffsets()).toEqual([{ groupId: 'g', topic: 't', partition: 0, offset: 5n }]);
    store.failWith = 'not_coordinator';
    const failed = await coordinator.commitOffsets({
      ...commitInput,
      offsets: [{ topic: 't', partition: 0, offset: 9n, leaderEpoch: -1, metadata: null }],
    });
    expect(failed.partitions[0]?.errorCode).toBe(E.NOT_COORDINATOR);
    expect(coordinator.fetchOffsets('g', [{ topic: 't', partition: 0 }]).offsets[0]?.offset).toBe(5n);
  });

  it('unloading answers a parked JoinGroup NOT_COORDINATOR and later requests too', async () => {
    const { coordinator } = setup();
    coordinator.loaded(groupPartition, empty);
    const member = await stableSingle(coordinator);
    const parked = coordinator.joinGroup(joinInput({ clientId: 'b' }));
    coordinator.unloaded(groupPartition);
    expect((await parked).errorCode).toBe(E.NOT_COORDINATOR);
    expect(
      await coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: member, groupInstanceId: null }),
    ).toBe(E.NOT_COORDINATOR);
  });

  it('starts from what the store loaded', async () => {
    const { coordinator } = setup();
    const offsets = new Map([
      [
        'g',
        new Map([['t:1', { offset: 11n, leaderEpoch: 2, metadata: 'x', commitTimestampMs: 0n, recordOffset: 0n }]]),
      ],
    ]);
    coordinator.loaded(groupPartition, { groups: new Map(), offsets, pendingTxnOffsets: new Map() });
    expect(coordinator.fetchOffsets('g', null).offsets).toEqual([
      { topic: 't', partition: 1, offset: 11n, leaderEpoch: 2, metadata: 'x', errorCode: E.NONE },
    ]);
  });

  it('the periodic retention pass expires old simple commits with tombstones', async () => {
    const { coordinator, store, timers } = setup({ retentionMs: 1000, checkMs: 5000 });
    coordinator.loaded(groupPartition, empty);
    await coordinator.commitOffsets(commitInput);
    timers.advance(4999);
    await settle();
    expect(coordinator.committedOffsets()).toHaveLength(1);
    timers.advance(1);
    await settle();
    expect(coordinator.committedOffsets()).toEqual([]);
    expect(store.offsetWrites.at(-1)).toMatchObject({
      groupId: 'g',
      offsets: [{ topic: 't', partition: 0, value: null }],
    });
    coordinator.close();
  });
});
