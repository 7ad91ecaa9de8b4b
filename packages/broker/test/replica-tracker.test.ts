import { AssertionError } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { ReplicaTracker, type ReplicaTrackerOptions } from '../src/replication/replica-tracker.ts';

const lagTimeMaxMs = 30_000;

function tracker(overrides: Partial<ReplicaTrackerOptions> = {}): ReplicaTracker {
  return new ReplicaTracker({
    leaderId: 1,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
    leaderEpoch: 5,
    partitionEpoch: 7,
    highWatermark: 0n,
    logEndOffset: 0n,
    lagTimeMaxMs,
    nowMs: 0,
    ...overrides,
  });
}

/** Fetches that must be accepted; returns whether the HWM moved. */
function fetch(t: ReplicaTracker, followerId: number, offset: bigint, nowMs: number): boolean {
  const result = t.onFollowerFetch(followerId, offset, nowMs);
  if (!result.ok) throw new Error(`fetch refused: ${result.error}`);
  return result.value.highWatermarkChanged;
}

describe('ReplicaTracker high watermark', () => {
  it('follows the slowest ISR member, leader included', () => {
    const t = tracker();
    t.onLeaderAppend(10n, 0);
    expect(fetch(t, 2, 10n, 1)).toBe(false);
    expect(t.highWatermark).toBe(0n); // follower 3 has not fetched yet
    expect(fetch(t, 3, 4n, 2)).toBe(true);
    expect(t.highWatermark).toBe(4n);
    expect(fetch(t, 3, 10n, 3)).toBe(true);
    expect(t.highWatermark).toBe(10n);
    expect(t.onLeaderAppend(15n, 4)).toEqual({ highWatermarkChanged: false });
    expect(t.highWatermark).toBe(10n);
  });

  it('on a single-replica partition equals the leader log end offset after each append', () => {
    const t = tracker({ replicas: [1], isr: [1], highWatermark: 3n, logEndOffset: 3n });
    expect(t.onLeaderAppend(8n, 0)).toEqual({ highWatermarkChanged: true });
    expect(t.highWatermark).toBe(8n);
    expect(t.ackState(7n, 1)).toBe('done');
    expect(t.isrChange(1_000_000)).toBeNull();
  });

  it('counts a follower eligible to rejoin before its proposal, so the HWM does not outrun it', () => {
    const t = tracker({ isr: [1, 2], highWatermark: 10n, logEndOffset: 10n });
    fetch(t, 3, 10n, 1);
    t.onLeaderAppend(20n, 2);
    fetch(t, 2, 20n, 3);
    expect(t.highWatermark).toBe(10n); // follower 3 at 10 still counts
    expect(t.isrChange(4)).toMatchObject({ reason: 'expand', isr: [1, 2, 3] });
  });

  it('stops counting a would-be member as soon as metadata shows it fenced (KIP-841), not lagTimeMaxMs later', () => {
    // Follower 3 is out of the ISR and has caught up: about to be proposed back in.
    const t = tracker({ isr: [1, 2], logEndOffset: 10n, highWatermark: 10n });
    fetch(t, 2, 10n, 1);
    fetch(t, 3, 10n, 1);
    // Broker 3 dies before its expansion is proposed; the controller fences it.
    t.onLeaderAppend(20n, 2);
    fetch(t, 2, 20n, 3);
    // Caught up a moment ago, 3 still counts as about to rejoin and holds the HWM.
    expect(t.highWatermark).toBe(10n);
    expect(t.setUnavailableFollowers(new Set([3]))).toEqual({ highWatermarkChanged: true });
    expect(t.highWatermark).toBe(20n);
    expect(t.isrChange(4)).toBeNull();
  });

  it('stops waiting for a would-be member that has not caught up within lagTimeMaxMs', () => {
    const t = tracker({ isr: [1, 2], highWatermark: 10n, logEndOffset: 10n });
    fetch(t, 3, 10n, 0);
    t.onLeaderAppend(20n, 1);
    fetch(t, 2, 20n, 1);
    expect(t.highWatermark).toBe(10n);
    expect(fetch(t, 2, 20n, lagTimeMaxMs + 1)).toBe(true);
    expect(t.highWatermark).toBe(20n);
  });

  it('does not go backwards when the ISR is committed with a follower below the HWM', () => {
    const t = tracker({ isr: [1, 2], highWatermark: 10n, logEndOffset: 10n });
    fetch(t, 2, 10n, 1);
    fetch(t, 3, 5n, 1);
    expect(t.isrChange(2)).toBeNull(); // 5 < HWM 10: not allowed to rejoin
    expect(t.onIsrCommitted([1, 2, 3], 8)).toEqual({ applied: true, highWatermarkChanged: false });
    expect(t.highWatermark).toBe(10n);
    t.onLeaderAppend(12n, 3);
    fetch(t, 2, 12n, 3);
    expect(t.highWatermark).toBe(10n);
    expect(fetch(t, 3, 11n, 4)).toBe(true);
    expect(t.highWatermark).toBe(11n);
  });

  it('asserts when the leader log end offset moves back', () => {
    const t = tracker({ logEndOffset: 10n, highWatermark: 10n });
    expect(() => t.onLeaderAppend(9n, 1)).toThrow(AssertionError);
  });
});

describe('ReplicaTracker ISR changes', () => {
  it('proposes a lagging follower out after lagTimeMaxMs and not before', () => {
    const t = tracker();
    t.onLeaderAppend(10n, 0);
    fetch(t, 2, 10n, 0);
    fetch(t, 3, 2n, 0);
    t.onLeaderAppend(20n, 100);
    fetch(t, 2, 20n, lagTimeMaxMs);
    fetch(t, 3, 4n, lagTimeMaxMs); // still behind what the leader had at its previous fetch
    expect(t.isrChange(lagTimeMaxMs)).toBeNull();
    expect(t.isrChange(lagTimeMaxMs + 1)).toEqual({
      isr: [1, 2],
      reason: 'shrink',
      changed: [3],
      leaderEpoch: 5,
      partitionEpoch: 7,
      addedBrokerEpochs: [],
    });
    expect(t.proposalPending).toBe(true);
    expect(t.isrChange(lagTimeMaxMs + 2)).toBeNull();
  });

  it('keeps an idle follower level with the leader in the ISR however long it stays idle', () => {
    const t = tracker({ replicas: [1, 2], isr: [1, 2], logEndOffset: 10n, highWatermark: 10n });
    fetch(t, 2, 10n, 0);
    expect(t.isrChange(10 * lagTimeMaxMs)).toBeNull();
  });

  it('treats a follower that reaches the leader end of its previous fetch as caught up then', () => {
    const t = tracker({ replicas: [1, 2], isr: [1, 2] });
    // Steady traffic: the follower is always one fetch behind, never level.
    for (let i = 1n; i <= 10n; i++) {
      t.onLeaderAppend(i * 10n, Number(i) * 10_000);
      fetch(t, 2, (i - 1n) * 10n, Number(i) * 10_000);
    }
    expect(t.followerState(2, 100_000)?.lagMs).toBe(10_000);
    expect(t.isrChange(100_000)).toBeNull();
  });

  it('proposes a caught-up follower back in and applies the committed ISR', () => {
    const t = tracker({ isr: [1, 2] });
    t.onLeaderAppend(10n, 0);
    fetch(t, 3, 6n, 1);
    fetch(t, 2, 10n, 1);
    expect(t.highWatermark).toBe(6n);
    expect(t.isrChange(2)).toMatchObject({ reason: 'expand', isr: [1, 2, 3], changed: [3] });
    expect(t.onIsrCommitted([1, 2, 3], 8)).toEqual({ applied: true, highWatermarkChanged: false });
    expect(t.isr).toEqual([1, 2, 3]);
    expect(t.partitionEpoch).toBe(8);
    expect(t.proposalPending).toBe(false);
    expect(t.followerState(3, 2)?.inIsr).toBe(true);
  });

  it('names the broker epoch each added follower fetched under, and forgets a follower that re-registered (KIP-903)', () => {
    const t = tracker({ isr: [1, 2] });
    t.onLeaderAppend(10n, 0);
    expect(t.onFollowerFetch(2, 10n, 1, 7n).ok).toBe(true);
    expect(t.onFollowerFetch(3, 10n, 1, 4n).ok).toBe(true);
    const proposal = t.isrChange(2);
    expect(proposal).toMatchObject({
      reason: 'expand',
      changed: [3],
      addedBrokerEpochs: [{ brokerId: 3, brokerEpoch: 4n }],
    });
    t.onIsrRejected();
    // Broker 3 restarted (new registration) and lost records: what it held before no longer counts.
    expect(t.onFollowerFetch(3, 6n, 3, 9n).ok).toBe(true);
    expect(t.followerState(3, 3)?.logEndOffset).toBe(6n);
    expect(t.isrChange(4)).toBeNull();
    expect(t.onFollowerFetch(3, 10n, 5, 9n).ok).toBe(true);
    expect(t.isrChange(6)).toMatchObject({ changed: [3], addedBrokerEpochs: [{ brokerId: 3, brokerEpoch: 9n }] });
  });

  it('does not let a follower that has not reached the start of this leader epoch rejoin', () => {
    const t = tracker({ isr: [1, 2], highWatermark: 5n, logEndOffset: 10n });
    fetch(t, 2, 6n, 1);
    fetch(t, 3, 7n, 1);
    expect(t.highWatermark).toBe(6n);
    expect(t.isrChange(2)).toBeNull(); // 7 >= HWM but below the epoch start offset 10
    fetch(t, 3, 10n, 3);
    expect(t.isrChange(4)).toMatchObject({ reason: 'expand', changed: [3] });
  });

  it('after a rejected proposal recomputes it, and ignores a stale commit', () => {
    const t = tracker({ isr: [1, 2] });
    fetch(t, 2, 0n, 1);
    fetch(t, 3, 0n, 1);
    expect(t.isrChange(2)?.reason).toBe('expand');
    t.onIsrRejected();
    expect(t.proposalPending).toBe(false);
    expect(t.isrChange(3)?.reason).toBe('expand');
    expect(t.onIsrCommitted([1], 7)).toEqual({ applied: false, highWatermarkChanged: false });
    expect(t.isr).toEqual([1, 2]);
    expect(t.proposalPending).toBe(true);
  });

  it('a follower the controller took out of the ISR (controlled shutdown) is not proposed back until it fetches again', () => {
    const t = tracker();
    t.onLeaderAppend(10n, 0);
    fetch(t, 2, 10n, 1);
    fetch(t, 3, 10n, 1);
    expect(t.highWatermark).toBe(10n);
    // The partition stays idle: follower 3's last fetch still shows it level with the leader.
    expect(t.onIsrCommitted([1, 2], 8)).toEqual({ applied: true, highWatermarkChanged: false });
    expect(t.isrChange(2)).toBeNull();
    expect(t.followerState(3, 2)).toMatchObject({ inIsr: false, logEndOffset: null });
    fetch(t, 3, 10n, 3);
    expect(t.isrChange(4)).toMatchObject({ reason: 'expand', isr: [1, 2, 3], changed: [3] });
  });

  it('shrinking a dead follower out lets the HWM advance once committed', () => {
    const t = tracker();
    t.onLeaderAppend(10n, 0);
    fetch(t, 2, 10n, 1);
    fetch(t, 3, 3n, 1);
    const proposal = t.isrChange(lagTimeMaxMs + 1);
    expect(proposal?.isr).toEqual([1, 2]);
    expect(t.highWatermark).toBe(3n); // while in flight, the larger ISR still counts
    expect(t.onIsrCommitted([1, 2], 8)).toEqual({ applied: true, highWatermarkChanged: true });
    expect(t.highWatermark).toBe(10n);
  });
});

describe('ReplicaTracker acks=all', () => {
  it('waits, then completes when the HWM passes the batch', () => {
    const t = tracker();
    t.onLeaderAppend(10n, 0);
    expect(t.hasMinIsr(2)).toBe(true);
    expect(t.ackState(9n, 2)).toBe('wait');
    fetch(t, 2, 10n, 1);
    expect(t.ackState(9n, 2)).toBe('wait');
    fetch(t, 3, 9n, 2);
    expect(t.ackState(9n, 2)).toBe('wait'); // HWM 9 does not pass offset 9
    fetch(t, 3, 10n, 3);
    expect(t.ackState(9n, 2)).toBe('done');
  });

  it('returns not_enough_replicas_after_append when the ISR shrinks below min while waiting', () => {
    const t = tracker({ replicas: [1, 2], isr: [1, 2] });
    t.onLeaderAppend(10n, 0);
    fetch(t, 2, 4n, 1);
    expect(t.ackState(9n, 2)).toBe('wait');
    expect(t.isrChange(lagTimeMaxMs + 1)?.isr).toEqual([1]);
    expect(t.ackState(9n, 2)).toBe('wait'); // not committed yet
    t.onIsrCommitted([1], 8);
    expect(t.highWatermark).toBe(10n);
    expect(t.ackState(9n, 2)).toBe('not_enough_replicas_after_append');
    expect(t.hasMinIsr(2)).toBe(false);
  });
});

describe('ReplicaTracker follower fetches and metrics', () => {
  it('refuses fetches from non-replicas, the leader, and past the leader log end', () => {
    const t = tracker({ logEndOffset: 10n, highWatermark: 10n });
    expect(t.onFollowerFetch(9, 0n, 1)).toMatchObject({ ok: false, error: 'unknown_replica' });
    expect(t.onFollowerFetch(1, 0n, 1)).toMatchObject({ ok: false, error: 'unknown_replica' });
    expect(t.onFollowerFetch(2, 11n, 1)).toMatchObject({ ok: false, error: 'offset_out_of_range' });
    expect(t.followerState(2, 1)?.logEndOffset).toBeNull();
  });

  it('reports each follower log end offset, message lag, time lag and ISR membership', () => {
    const t = tracker({ isr: [1, 2] });
    t.onLeaderAppend(10n, 0);
    fetch(t, 2, 10n, 500);
    fetch(t, 3, 4n, 600);
    expect(t.followerState(2, 1_000)).toEqual({ logEndOffset: 10n, lagMessages: 0n, lagMs: 500, inIsr: true });
    expect(t.followerState(3, 1_000)).toEqual({ logEndOffset: 4n, lagMessages: 6n, lagMs: 1_000, inIsr: false });
    expect(t.followerState(1, 1_000)).toBeUndefined();
  });
});
