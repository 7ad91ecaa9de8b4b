/**
 * The classic group protocol's membership rules on the pure machine:
 * join/sync/heartbeat/leave with one to three members, rebalances, session
 * and rebalance timeouts, static membership and generation fencing.
 */
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { encodeSubscription } from '../src/groups/consumer-protocol.ts';
import { Harness, rebalanceMs, sessionMs, testConfig } from './groups-harness.ts';

const E = ErrorCode;

/** A and B in a Stable group at generation 2 (A leads). */
function twoMembers(h: Harness): { a: string; b: string; gen: number } {
  const a = h.stableSingle().memberId;
  const joinB = h.join({ clientId: 'b' });
  expect(h.heartbeat({ memberId: a, generationId: 1 })).toBe(E.REBALANCE_IN_PROGRESS);
  const rejoinA = h.got('join', h.join({ memberId: a }));
  const b = h.got('join', joinB).memberId;
  const gen = rejoinA.generationId;
  const syncB = h.sync({ memberId: b, generationId: gen });
  h.sync({
    memberId: a,
    generationId: gen,
    assignments: [
      { memberId: a, assignment: Buffer.from('a') },
      { memberId: b, assignment: Buffer.from('b') },
    ],
  });
  expect(h.got('sync', syncB).assignment.toString()).toBe('b');
  return { a, b, gen };
}

describe('JoinGroup and SyncGroup', () => {
  it('a lone member joins as leader of generation 1, gets its assignment, and the group is Stable and persisted', () => {
    const h = new Harness();
    const joined = h.got('join', h.join());
    expect(joined).toMatchObject({ errorCode: E.NONE, generationId: 1, protocolName: 'range', memberId: 'client-u1' });
    expect(joined.leader).toBe(joined.memberId);
    expect(joined.members.map((m) => m.memberId)).toEqual([joined.memberId]);
    expect(h.state()).toBe('CompletingRebalance');
    const synced = h.got(
      'sync',
      h.sync({
        memberId: joined.memberId,
        generationId: 1,
        assignments: [{ memberId: joined.memberId, assignment: Buffer.from('x') }],
      }),
    );
    // The answer names the group's protocol (SyncGroup v5 sends it on).
    const protocol = { protocolType: 'consumer', protocolName: 'range' };
    expect(synced).toEqual({ errorCode: E.NONE, assignment: Buffer.from('x'), ...protocol });
    expect(h.state()).toBe('Stable');
    const persisted = h.writes.at(-1)?.group?.value;
    expect(persisted?.generation).toBe(1);
    expect(persisted?.members[0]?.assignment).toEqual(Buffer.from('x'));
    expect(h.heartbeat({ memberId: joined.memberId, generationId: 1 })).toBe(E.NONE);
  });

  it('JoinGroup v4+ with an empty member id answers MEMBER_ID_REQUIRED with the id to rejoin with', () => {
    const h = new Harness();
    const first = h.got('join', h.join({ requireKnownMemberId: true }));
    expect(first).toMatchObject({ errorCode: E.MEMBER_ID_REQUIRED, memberId: 'client-u1', generationId: -1 });
    const second = h.got('join', h.join({ memberId: first.memberId, requireKnownMemberId: true }));
    expect(second).toMatchObject({ errorCode: E.NONE, memberId: 'client-u1', generationId: 1 });
  });

  it('a pending member id that never rejoins expires after the session timeout and no longer holds the rebalance', () => {
    const h = new Harness();
    const a = h.stableSingle().memberId;
    const pending = h.got('join', h.join({ requireKnownMemberId: true, clientId: 'b' })).memberId;
    const joinC = h.join({ clientId: 'c' });
    const rejoinA = h.join({ memberId: a });
    h.advance(sessionMs - 1);
    expect(h.answer('join', rejoinA)).toBeUndefined();
    h.advance(1);
    expect(h.got('join', rejoinA).members.map((m) => m.memberId)).toEqual([a, h.got('join', joinC).memberId]);
    expect(h.got('join', h.join({ memberId: pending })).errorCode).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('a second member triggers a rebalance: both get generation 2, only the leader gets the member list, followers wait for the leader', () => {
    const h = new Harness();
    const a = h.stableSingle().memberId;
    const joinB = h.join({ clientId: 'b' });
    expect(h.answer('join', joinB)).toBeUndefined();
    expect(h.state()).toBe('PreparingRebalance');
    expect(h.heartbeat({ memberId: a, generationId: 1 })).toBe(E.REBALANCE_IN_PROGRESS);
    const rejoinA = h.got('join', h.join({ memberId: a }));
    const b = h.got('join', joinB);
    expect(rejoinA.generationId).toBe(2);
    expect(rejoinA.members.map((m) => m.memberId)).toEqual([a, b.memberId]);
    expect(b).toMatchObject({ generationId: 2, leader: a, members: [] });
    const syncB = h.sync({ memberId: b.memberId, generationId: 2 });
    expect(h.answer('sync', syncB)).toBeUndefined();
    const syncA = h.sync({
      memberId: a,
      generationId: 2,
      assignments: [{ memberId: b.memberId, assignment: Buffer.from('b') }],
    });
    expect(h.got('sync', syncB).assignment.toString()).toBe('b');
    // A member the leader left out gets an empty assignment.
    expect(h.got('sync', syncA)).toEqual({
      errorCode: E.NONE,
      assignment: Buffer.alloc(0),
      protocolType: 'consumer',
      protocolName: 'range',
    });
    expect(h.state()).toBe('Stable');
  });

  it('the rebalance timeout removes a member that did not rejoin; the rest form the next generation', () => {
    const h = new Harness();
    const { a, b, gen } = twoMembers(h);
    const joinC = h.join({ clientId: 'c' });
    const rejoinA = h.join({ memberId: a });
    // B stays alive (heartbeats within its session) but never rejoins.
    for (let i = 0; i < rebalanceMs / 5000 - 1; i++) {
      h.advance(5000);
      expect(h.heartbeat({ memberId: b, generationId: gen })).toBe(E.REBALANCE_IN_PROGRESS);
    }
    h.advance(4999);
    expect(h.answer('join', rejoinA)).toBeUndefined();
    h.advance(1);
    const nextA = h.got('join', rejoinA);
    expect(nextA.generationId).toBe(gen + 1);
    expect(nextA.members.map((m) => m.memberId)).toEqual([a, h.got('join', joinC).memberId]);
    expect(h.heartbeat({ memberId: b, generationId: gen })).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('a member whose session expires is removed and the others are told to rejoin', () => {
    const h = new Harness();
    const { a, b, gen } = twoMembers(h);
    h.advance(sessionMs / 2);
    expect(h.heartbeat({ memberId: a, generationId: gen })).toBe(E.NONE);
    h.advance(sessionMs / 2);
    expect(h.heartbeat({ memberId: a, generationId: gen })).toBe(E.REBALANCE_IN_PROGRESS);
    const rejoined = h.got('join', h.join({ memberId: a }));
    expect(rejoined.generationId).toBe(gen + 1);
    expect(rejoined.members.map((m) => m.memberId)).toEqual([a]);
    expect(h.heartbeat({ memberId: b, generationId: gen })).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('a leader that never sends SyncGroup is removed after the rebalance timeout; the waiting follower is told to rejoin', () => {
    // A rebalance timeout below the session timeout, so the missing SyncGroup is what removes the leader.
    const h = new Harness();
    const a = h.stableSingle({ rebalanceTimeoutMs: 8000 }).memberId;
    const joinB = h.join({ clientId: 'b', rebalanceTimeoutMs: 8000 });
    h.join({ memberId: a, rebalanceTimeoutMs: 8000 });
    const b = h.got('join', joinB).memberId;
    const syncB = h.sync({ memberId: b, generationId: 2 });
    h.advance(7999);
    expect(h.answer('sync', syncB)).toBeUndefined();
    h.advance(1);
    expect(h.got('sync', syncB).errorCode).toBe(E.REBALANCE_IN_PROGRESS);
    expect(h.got('join', h.join({ memberId: b })).members.map((m) => m.memberId)).toEqual([b]);
  });

  it('the initial rebalance delay collects members that arrive while it runs, then extends once more', () => {
    const h = new Harness({ ...testConfig, initialRebalanceDelayMs: 3000 });
    const joinA = h.join({ clientId: 'a' });
    h.advance(1000);
    const joinB = h.join({ clientId: 'b' });
    h.advance(2000);
    expect(h.answer('join', joinA)).toBeUndefined();
    h.advance(3000);
    expect(h.got('join', joinA).members).toHaveLength(2);
    expect(h.got('join', joinB).generationId).toBe(1);
  });

  it('the protocol is the one most members prefer among those all support', () => {
    const h = new Harness();
    const p = (name: string) => ({ name, metadata: encodeSubscription(['t']) });
    const joinA = h.join({ clientId: 'a', protocols: [p('range'), p('roundrobin')] });
    const a = h.got('join', joinA).memberId;
    const joinB = h.join({ clientId: 'b', protocols: [p('roundrobin'), p('range')] });
    const joinC = h.join({ clientId: 'c', protocols: [p('roundrobin'), p('range'), p('sticky')] });
    h.join({ memberId: a, protocols: [p('range'), p('roundrobin')] });
    expect(h.got('join', joinB).protocolName).toBe('roundrobin');
    expect(h.got('join', joinC).protocolName).toBe('roundrobin');
  });

  it.each([
    ['another protocol type', { protocolType: 'connect' }],
    ['no protocol in common', { protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }],
    ['an empty protocol type', { protocolType: '' }],
  ])('a join with %s answers INCONSISTENT_GROUP_PROTOCOL', (_, overrides) => {
    const h = new Harness();
    h.stableSingle();
    expect(h.got('join', h.join({ clientId: 'x', ...overrides })).errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL);
  });

  it.each([5999, 1_800_001])('session timeout %i outside the broker limits answers INVALID_SESSION_TIMEOUT', (ms) => {
    const h = new Harness();
    expect(h.got('join', h.join({ sessionTimeoutMs: ms })).errorCode).toBe(E.INVALID_SESSION_TIMEOUT);
  });

  it('an empty group id answers INVALID_GROUP_ID and a full group GROUP_MAX_SIZE_REACHED', () => {
    const h = new Harness({ ...testConfig, groupSizeMax: 1 });
    expect(h.got('join', h.join({ groupId: '' })).errorCode).toBe(E.INVALID_GROUP_ID);
    h.stableSingle();
    expect(h.got('join', h.join({ clientId: 'b' })).errorCode).toBe(E.GROUP_MAX_SIZE_REACHED);
  });

  it('a known non-leader rejoining a Stable group unchanged gets the current generation without a rebalance', () => {
    const h = new Harness();
    const { b, gen } = twoMembers(h);
    expect(h.got('join', h.join({ memberId: b, clientId: 'b' }))).toMatchObject({ generationId: gen, members: [] });
    expect(h.state()).toBe('Stable');
  });

  it('a join with an unknown member id answers UNKNOWN_MEMBER_ID', () => {
    const h = new Harness();
    expect(h.got('join', h.join({ memberId: 'ghost' })).errorCode).toBe(E.UNKNOWN_MEMBER_ID);
    h.stableSingle();
    expect(h.got('join', h.join({ memberId: 'ghost' })).errorCode).toBe(E.UNKNOWN_MEMBER_ID);
  });
});

describe('fencing', () => {
  it('a stale generation answers ILLEGAL_GENERATION to SyncGroup, Heartbeat and OffsetCommit', () => {
    const h = new Harness();
    const { a, gen } = twoMembers(h);
    expect(h.heartbeat({ memberId: a, generationId: gen - 1 })).toBe(E.ILLEGAL_GENERATION);
    expect(h.got('sync', h.sync({ memberId: a, generationId: gen - 1 })).errorCode).toBe(E.ILLEGAL_GENERATION);
    expect(h.commitCodes({ memberId: a, generationId: gen - 1 })).toEqual([E.ILLEGAL_GENERATION]);
  });

  it('SyncGroup from a non-member answers UNKNOWN_MEMBER_ID, also for a group that does not exist', () => {
    const h = new Harness();
    expect(h.got('sync', h.sync({ memberId: 'ghost', generationId: 1 })).errorCode).toBe(E.UNKNOWN_MEMBER_ID);
    h.stableSingle();
    expect(h.got('sync', h.sync({ memberId: 'ghost', generationId: 1 })).errorCode).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('SyncGroup during PreparingRebalance answers REBALANCE_IN_PROGRESS', () => {
    const h = new Harness();
    const a = h.stableSingle().memberId;
    h.join({ clientId: 'b' });
    expect(h.got('sync', h.sync({ memberId: a, generationId: 1 })).errorCode).toBe(E.REBALANCE_IN_PROGRESS);
  });
});

describe('static membership', () => {
  it('a static member restarting with unchanged protocols takes its old place without a rebalance; the old id is fenced', () => {
    const h = new Harness();
    const s = h.stableSingle({ groupInstanceId: 'i1' });
    expect(s.memberId).toBe('i1-u1');
    const again = h.got('join', h.join({ groupInstanceId: 'i1' }));
    expect(again).toMatchObject({ errorCode: E.NONE, generationId: 1, memberId: 'i1-u2', leader: 'i1-u2' });
    expect(h.state()).toBe('Stable');
    expect(h.writes.at(-1)?.group?.value?.members.map((m) => m.memberId)).toEqual(['i1-u2']);
    expect(h.heartbeat({ memberId: s.memberId, generationId: 1, groupInstanceId: 'i1' })).toBe(E.FENCED_INSTANCE_ID);
    expect(h.heartbeat({ memberId: 'i1-u2', generationId: 1, groupInstanceId: 'i1' })).toBe(E.NONE);
    // Its assignment carried over: SyncGroup in Stable hands it back.
    const synced = h.got('sync', h.sync({ memberId: 'i1-u2', generationId: 1, groupInstanceId: 'i1' }));
    expect(synced.assignment.toString()).toBe('a-all');
    expect(h.commitCodes({ memberId: s.memberId, generationId: 1, groupInstanceId: 'i1' })).toEqual([
      E.FENCED_INSTANCE_ID,
    ]);
  });

  it('a static member restarting with a changed subscription triggers a rebalance', () => {
    const h = new Harness();
    h.stableSingle({ groupInstanceId: 'i1' });
    const ticket = h.join({
      groupInstanceId: 'i1',
      protocols: [{ name: 'range', metadata: encodeSubscription(['t', 'u']) }],
    });
    expect(h.got('join', ticket).generationId).toBe(2);
  });

  it('a failed write of the replacement keeps the previous incarnation as the member', () => {
    const h = new Harness();
    const s = h.stableSingle({ groupInstanceId: 'i1' });
    h.failWrites = 'not_coordinator';
    expect(h.got('join', h.join({ groupInstanceId: 'i1' })).errorCode).toBe(E.NOT_COORDINATOR);
    h.failWrites = null;
    expect(h.heartbeat({ memberId: s.memberId, generationId: 1, groupInstanceId: 'i1' })).toBe(E.NONE);
  });
});

describe('LeaveGroup', () => {
  it('a member leaving makes the others rebalance without it', () => {
    const h = new Harness();
    const { a, b, gen } = twoMembers(h);
    expect(h.leave([{ memberId: b, groupInstanceId: null }])).toEqual({
      errorCode: E.NONE,
      members: [{ memberId: b, groupInstanceId: null, errorCode: E.NONE }],
    });
    expect(h.heartbeat({ memberId: a, generationId: gen })).toBe(E.REBALANCE_IN_PROGRESS);
    expect(h.got('join', h.join({ memberId: a })).members.map((m) => m.memberId)).toEqual([a]);
  });

  it('the batch form resolves static members by instance id and fences a wrong member id', () => {
    const h = new Harness();
    const s = h.stableSingle({ groupInstanceId: 'i1' });
    const result = h.leave([
      { memberId: 'wrong', groupInstanceId: 'i1' },
      { memberId: '', groupInstanceId: 'nobody' },
      { memberId: 'ghost', groupInstanceId: null },
      { memberId: '', groupInstanceId: 'i1' },
    ]);
    expect(result.members.map((m) => m.errorCode)).toEqual([
      E.FENCED_INSTANCE_ID,
      E.UNKNOWN_MEMBER_ID,
      E.UNKNOWN_MEMBER_ID,
      E.NONE,
    ]);
    expect(h.heartbeat({ memberId: s.memberId, generationId: 1 })).toBe(E.UNKNOWN_MEMBER_ID);
  });

  it('the last member leaving empties the group at a new generation, persisted', () => {
    const h = new Harness();
    const a = h.stableSingle().memberId;
    h.leave([{ memberId: a, groupInstanceId: null }]);
    expect(h.state()).toBe('Empty');
    expect(h.writes.at(-1)?.group?.value).toMatchObject({ generation: 2, members: [], protocol: null });
  });

  it('leaving a group the coordinator does not know answers UNKNOWN_MEMBER_ID per member', () => {
    const h = new Harness();
    expect(h.leave([{ memberId: 'x', groupInstanceId: null }], 'nope').members[0]?.errorCode).toBe(E.UNKNOWN_MEMBER_ID);
  });
});

describe('persistence of the assignment', () => {
  it('SyncGroup answers only once the assignment is written; a failed write sends everyone back to rejoin', () => {
    const h = new Harness();
    const joined = h.got('join', h.join());
    h.holdWrites = true;
    const ticket = h.sync({ memberId: joined.memberId, generationId: 1 });
    expect(h.answer('sync', ticket)).toBeUndefined();
    h.resolveWrites('timed_out');
    expect(h.got('sync', ticket).errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect(h.state()).toBe('PreparingRebalance');
  });

  it('an abandoned machine answers parked requests NOT_COORDINATOR', () => {
    const h = new Harness();
    const a = h.stableSingle().memberId;
    const joinB = h.join({ clientId: 'b' });
    h.apply(h.machine.abandon(h.nowMs));
    expect(h.got('join', joinB).errorCode).toBe(E.NOT_COORDINATOR);
    expect(h.heartbeat({ memberId: a, generationId: 1 })).toBe(E.UNKNOWN_MEMBER_ID);
  });
});
