/**
 * Committed offsets on the pure machine: member and simple commits,
 * visibility only after the write, OffsetFetch, OffsetDelete, DeleteGroups,
 * retention, the describe/list views and a machine rebuilt from a load.
 */
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { decodeSubscriptionTopics, encodeSubscription } from '../src/groups/consumer-protocol.ts';
import type { LoadedPartition } from '../src/groups/types.ts';
import { Harness, sessionMs, testConfig } from './groups-harness.ts';

const E = ErrorCode;
const simple = { memberId: '', generationId: -1 };
const day = 24 * 60 * 60 * 1000;

describe('OffsetCommit', () => {
  it('a simple commit (generation -1, no member) to an unknown group creates it and is visible to OffsetFetch', () => {
    const h = new Harness();
    expect(h.commitCodes(simple)).toEqual([E.NONE]);
    expect(h.machine.fetch('g', [{ topic: 't', partition: 0 }]).offsets[0]).toEqual({
      topic: 't',
      partition: 0,
      offset: 42n,
      leaderEpoch: 3,
      metadata: 'm',
      errorCode: E.NONE,
    });
    expect(h.state()).toBe('Empty');
  });

  it('a commit with a generation to a group the coordinator does not know answers ILLEGAL_GENERATION', () => {
    const h = new Harness();
    expect(h.commitCodes({ memberId: 'm', generationId: 3 })).toEqual([E.ILLEGAL_GENERATION]);
  });

  it('a simple commit to a group with members answers UNKNOWN_MEMBER_ID', () => {
    const h = new Harness();
    h.stableSingle();
    expect(h.commitCodes(simple)).toEqual([E.UNKNOWN_MEMBER_ID]);
  });

  it('members commit while Stable and while PreparingRebalance, but get REBALANCE_IN_PROGRESS while CompletingRebalance', () => {
    const h = new Harness();
    const a = h.stableSingle().memberId;
    expect(h.commitCodes({ memberId: a, generationId: 1 })).toEqual([E.NONE]);
    const joinB = h.join({ clientId: 'b' });
    expect(h.state()).toBe('PreparingRebalance');
    expect(h.commitCodes({ memberId: a, generationId: 1 })).toEqual([E.NONE]);
    h.join({ memberId: a });
    expect(h.got('join', joinB).generationId).toBe(2);
    expect(h.commitCodes({ memberId: a, generationId: 2 })).toEqual([E.REBALANCE_IN_PROGRESS]);
  });

  it('a commit is visible only once its write resolved, and not at all when the write failed', () => {
    const h = new Harness();
    h.holdWrites = true;
    const ticket = h.commit(simple);
    expect(h.answer('commit', ticket)).toBeUndefined();
    expect(h.fetched()).toEqual([-1n]);
    h.resolveWrites();
    expect(h.got('commit', ticket).partitions[0]?.errorCode).toBe(E.NONE);
    expect(h.fetched()).toEqual([42n]);

    const failed = h.commit({
      ...simple,
      offsets: [{ topic: 't', partition: 0, offset: 99n, leaderEpoch: -1, metadata: null }],
    });
    h.resolveWrites('not_coordinator');
    expect(h.got('commit', failed).partitions[0]?.errorCode).toBe(E.NOT_COORDINATOR);
    expect(h.fetched()).toEqual([42n]);
  });

  it('metadata over offset.metadata.max.bytes fails that partition only', () => {
    const h = new Harness({ ...testConfig, offsetMetadataBytesMax: 3 });
    const codes = h.commitCodes({
      ...simple,
      offsets: [
        { topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: 'long!' },
        { topic: 't', partition: 1, offset: 2n, leaderEpoch: -1, metadata: 'ok' },
      ],
    });
    expect(codes).toEqual([E.OFFSET_METADATA_TOO_LARGE, E.NONE]);
  });

  it('a record too large for the log answers INVALID_COMMIT_OFFSET_SIZE', () => {
    const h = new Harness();
    h.failWrites = 'record_too_large';
    expect(h.commitCodes(simple)).toEqual([E.INVALID_COMMIT_OFFSET_SIZE]);
  });
});

describe('OffsetFetch', () => {
  it('null topics returns every committed partition; asked partitions with nothing committed get -1', () => {
    const h = new Harness();
    h.commitCodes({
      ...simple,
      offsets: [
        { topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null },
        { topic: 'u', partition: 2, offset: 7n, leaderEpoch: -1, metadata: null },
      ],
    });
    expect(h.machine.fetch('g', null).offsets.map((o) => [o.topic, o.partition, o.offset])).toEqual([
      ['t', 0, 5n],
      ['u', 2, 7n],
    ]);
    expect(h.machine.fetch('g', [{ topic: 't', partition: 1 }]).offsets[0]).toMatchObject({
      offset: -1n,
      leaderEpoch: -1,
      metadata: '',
      errorCode: E.NONE,
    });
    expect(h.machine.fetch('nobody', null).offsets).toEqual([]);
  });
});

describe('DeleteGroups', () => {
  it('a group with members answers NON_EMPTY_GROUP; an unknown one GROUP_ID_NOT_FOUND', () => {
    const h = new Harness();
    h.stableSingle();
    expect(h.got('deleteGroup', h.deleteGroup())).toBe(E.NON_EMPTY_GROUP);
    expect(h.got('deleteGroup', h.deleteGroup('nope'))).toBe(E.GROUP_ID_NOT_FOUND);
  });

  it('an Empty group is deleted with tombstones for its offsets and its metadata', () => {
    const h = new Harness();
    h.commitCodes(simple);
    expect(h.got('deleteGroup', h.deleteGroup())).toBe(E.NONE);
    expect(h.writes.at(-1)).toMatchObject({
      groupId: 'g',
      offsets: [{ topic: 't', partition: 0, value: null }],
      group: { value: null },
    });
    expect(h.fetched()).toEqual([-1n]);
    expect(h.state()).toBe('Dead');
    expect(h.machine.list()).toEqual([]);
  });

  it('a failed delete leaves the group Empty with its offsets', () => {
    const h = new Harness();
    h.commitCodes(simple);
    h.failWrites = 'timed_out';
    expect(h.got('deleteGroup', h.deleteGroup())).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect(h.state()).toBe('Empty');
    expect(h.fetched()).toEqual([42n]);
  });
});

describe('OffsetDelete', () => {
  it('a Stable consumer group keeps the topics it subscribes to (GROUP_SUBSCRIBED_TO_TOPIC) and loses the others', () => {
    const h = new Harness();
    const a = h.stableSingle().memberId;
    h.commitCodes({
      memberId: a,
      generationId: 1,
      offsets: [
        { topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null },
        { topic: 'old', partition: 0, offset: 2n, leaderEpoch: -1, metadata: null },
      ],
    });
    const result = h.got(
      'offsetDelete',
      h.offsetDelete([
        { topic: 't', partition: 0 },
        { topic: 'old', partition: 0 },
      ]),
    );
    expect(result).toEqual({
      errorCode: E.NONE,
      partitions: [
        { topic: 't', partition: 0, errorCode: E.GROUP_SUBSCRIBED_TO_TOPIC },
        { topic: 'old', partition: 0, errorCode: E.NONE },
      ],
    });
    expect(
      h.fetched('g', [
        { topic: 't', partition: 0 },
        { topic: 'old', partition: 0 },
      ]),
    ).toEqual([1n, -1n]);
  });

  it('an unknown group answers GROUP_ID_NOT_FOUND; a non-empty group of another protocol type NON_EMPTY_GROUP', () => {
    const h = new Harness();
    expect(h.got('offsetDelete', h.offsetDelete([{ topic: 't', partition: 0 }])).errorCode).toBe(E.GROUP_ID_NOT_FOUND);
    h.stableSingle({ protocolType: 'connect' });
    expect(h.got('offsetDelete', h.offsetDelete([{ topic: 't', partition: 0 }])).errorCode).toBe(E.NON_EMPTY_GROUP);
  });
});

describe('offset retention', () => {
  it("an Empty consumer group's offsets expire retention after it emptied, then the group is gone", () => {
    const h = new Harness({ ...testConfig, offsetsRetentionMs: day });
    const a = h.stableSingle().memberId;
    h.commitCodes({ memberId: a, generationId: 1 });
    h.advance(day); // long after the commit, but the group is still in use
    h.heartbeat({ memberId: a, generationId: 1 }); // too late: the session expired, the group emptied at this tick
    expect(h.state()).toBe('Empty');
    h.nowMs += day - 1;
    h.expire();
    expect(h.fetched()).toEqual([42n]);
    h.nowMs += 1;
    h.expire();
    expect(h.fetched()).toEqual([-1n]);
    expect(h.writes.at(-2)?.offsets).toEqual([{ topic: 't', partition: 0, value: null }]);
    expect(h.writes.at(-1)?.group).toEqual({ value: null });
    expect(h.machine.list()).toEqual([]);
  });

  it("a simple group's offsets expire one by one, retention after each commit", () => {
    const h = new Harness({ ...testConfig, offsetsRetentionMs: day });
    h.commitCodes(simple);
    h.nowMs += day / 2;
    h.commitCodes({ ...simple, offsets: [{ topic: 't', partition: 1, offset: 7n, leaderEpoch: -1, metadata: null }] });
    h.nowMs += day / 2;
    h.expire();
    expect(
      h.fetched('g', [
        { topic: 't', partition: 0 },
        { topic: 't', partition: 1 },
      ]),
    ).toEqual([-1n, 7n]);
  });

  it('a Stable group keeps its commits however old', () => {
    const h = new Harness({ ...testConfig, offsetsRetentionMs: day });
    const a = h.stableSingle({ sessionTimeoutMs: 1_800_000 }).memberId;
    h.commitCodes({ memberId: a, generationId: 1 });
    const stepMs = 20 * 60 * 1000;
    for (let t = 0; t < 2 * day; t += stepMs) {
      h.advance(stepMs);
      expect(h.heartbeat({ memberId: a, generationId: 1 })).toBe(E.NONE);
    }
    h.expire();
    expect(h.state()).toBe('Stable');
    expect(h.fetched()).toEqual([42n]);
  });
});

describe('views and loading', () => {
  it('DescribeGroups shows members with metadata and assignment when Stable; unknown groups are Dead', () => {
    const h = new Harness();
    const a = h.stableSingle().memberId;
    const d = h.machine.describe('g');
    expect(d).toMatchObject({ state: 'Stable', protocolType: 'consumer', protocol: 'range' });
    expect(d.members[0]).toMatchObject({ memberId: a, clientId: 'client', clientHost: '/127.0.0.1' });
    expect(decodeSubscriptionTopics(d.members[0]?.metadata ?? Buffer.alloc(0))).toEqual(['t']);
    expect(d.members[0]?.assignment.toString()).toBe('a-all');
    expect(h.machine.describe('x')).toMatchObject({ errorCode: E.NONE, state: 'Dead', members: [] });
    expect(h.machine.list()).toEqual([{ groupId: 'g', protocolType: 'consumer', state: 'Stable' }]);
  });

  it('a loaded group with members is Stable, keeps its members for a session, then rebalances to Empty', () => {
    const loaded: LoadedPartition = {
      groups: new Map([
        [
          'g',
          {
            protocolType: 'consumer',
            generation: 7,
            protocol: 'range',
            leader: 'm1',
            currentStateTimestampMs: 1n,
            members: [
              {
                memberId: 'm1',
                groupInstanceId: null,
                clientId: 'c',
                clientHost: '/h',
                rebalanceTimeoutMs: 30_000,
                sessionTimeoutMs: sessionMs,
                subscription: encodeSubscription(['t']),
                assignment: Buffer.from('asg'),
              },
            ],
          },
        ],
      ]),
      offsets: new Map([
        [
          'simple',
          new Map([['t:3', { offset: 9n, leaderEpoch: -1, metadata: '', commitTimestampMs: 1n, recordOffset: 0n }]]),
        ],
      ]),
      pendingTxnOffsets: new Map(),
    };
    const h = new Harness(testConfig, loaded);
    expect(h.state()).toBe('Stable');
    expect(h.heartbeat({ memberId: 'm1', generationId: 7 })).toBe(E.NONE);
    expect(h.got('sync', h.sync({ memberId: 'm1', generationId: 7 })).assignment.toString()).toBe('asg');
    expect(h.machine.committedOffsets()).toEqual([{ groupId: 'simple', topic: 't', partition: 3, offset: 9n }]);
    h.advance(sessionMs);
    expect(h.state()).toBe('Empty');
    expect(h.machine.describe('g').members).toEqual([]);
  });
});
