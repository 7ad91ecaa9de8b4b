/**
 * What a DeleteRecords on a leader waits for: the low watermark (lowest log
 * start over the live replicas, ReplicaTracker.lowWatermark) and the
 * waiters parked on it (LowWatermarkWaiters).
 */

import { ManualClock, ManualTimers } from '@runnel/common';
import { describe, expect, it } from 'vitest';
import { LowWatermarkWaiters } from '../src/replication/low-watermark-waiters.ts';
import { ReplicaTracker } from '../src/replication/replica-tracker.ts';

function tracker(): ReplicaTracker {
  return new ReplicaTracker({
    leaderId: 1,
    replicas: [1, 2, 3],
    isr: [1, 2],
    leaderEpoch: 1,
    partitionEpoch: 1,
    highWatermark: 0n,
    logEndOffset: 20n,
    lagTimeMaxMs: 30_000,
    nowMs: 0,
  });
}

describe('ReplicaTracker.lowWatermark', () => {
  it('is -1 while a live follower has not said where its log starts', () => {
    const t = tracker();
    t.onFollowerFetch(2, 20n, 1, 1n, 10n);
    expect(t.lowWatermark(10n)).toBe(-1n);
  });

  it('is the lowest log start over the leader and every live follower, in the ISR or not', () => {
    const t = tracker();
    t.onFollowerFetch(2, 20n, 1, 1n, 10n);
    t.onFollowerFetch(3, 12n, 1, 1n, 4n);
    expect(t.lowWatermark(10n)).toBe(4n);
    t.onFollowerFetch(3, 20n, 2, 1n, 10n);
    expect(t.lowWatermark(10n)).toBe(10n);
    expect(t.lowWatermark(8n)).toBe(8n);
  });

  it('leaves out a fenced follower (it cannot fetch, so it would hold every deletion until its timeout)', () => {
    const t = tracker();
    t.onFollowerFetch(2, 20n, 1, 1n, 10n);
    t.setUnavailableFollowers(new Set([3]));
    expect(t.lowWatermark(10n)).toBe(10n);
  });
});

describe('LowWatermarkWaiters', () => {
  it('resolves at once when the low watermark is already there', async () => {
    const waiters = new LowWatermarkWaiters(new ManualTimers(new ManualClock(0)));
    expect(await waiters.wait(5n, 1000, () => 7n)).toEqual({ kind: 'done', lowWatermark: 7n });
  });

  it('resolves on the check that finds it reached, with the low watermark then', async () => {
    const waiters = new LowWatermarkWaiters(new ManualTimers(new ManualClock(0)));
    let low = 3n;
    const waiting = waiters.wait(5n, 1000, () => low);
    waiters.check(() => low);
    expect(waiters.size).toBe(1);
    low = 6n;
    waiters.check(() => low);
    expect(await waiting).toEqual({ kind: 'done', lowWatermark: 6n });
  });

  it('times out, and fails with not_leader when leadership goes', async () => {
    const clock = new ManualClock(0);
    const timers = new ManualTimers(clock);
    const waiters = new LowWatermarkWaiters(timers);
    const timing = waiters.wait(5n, 1000, () => 0n);
    const leaving = waiters.wait(5n, 5000, () => 0n);
    clock.advance(1000);
    timers.fireDue();
    expect(await timing).toEqual({ kind: 'timed_out' });
    waiters.failAll();
    expect(await leaving).toEqual({ kind: 'not_leader' });
  });
});
