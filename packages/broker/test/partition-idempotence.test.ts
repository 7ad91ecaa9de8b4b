/**
 * Idempotent producers at the Partition (real PartitionLogs on an in-memory
 * disk, manual clock): duplicates answered with their original offsets and
 * acknowledged only once the original is replicated, gaps and old epochs
 * refused, and the producer state a follower builds from what it copies,
 * which lets it deduplicate as the old leader did once it leads, and rolls
 * back with its log on truncation.
 */
import { describe, expect, it } from 'vitest';
import type { Partition } from '../src/replication/partition.ts';
import {
  fetchFrom,
  idempotentBatch,
  manualTime,
  partitionOn,
  settledFlag,
  state,
  type Time,
  turn,
  until,
} from './replication-fixture.ts';

const lagTimeMaxMs = 30_000;
const leaderOnly = { acks: 1, minInsyncReplicas: 1, timeoutMs: 5_000 } as const;
const all = { acks: -1, minInsyncReplicas: 2, timeoutMs: 5_000 } as const;
const producer = { id: 1000n, epoch: 0 };

async function leaderOf(time: Time, replicas: number[]): Promise<Partition> {
  const p = await partitionOn(1, time);
  p.applyState(state(1, 1, replicas), { lagTimeMaxMs, minInsyncReplicas: 1 });
  return p;
}

/** One replica-fetch round of `follower` (broker `followerId`) from `leader`. */
async function round(leader: Partition, follower: Partition, followerId: number, leaderEpoch: number) {
  const position = follower.fetchPosition();
  const answer = await leader.answerFollowerFetch(
    fetchFrom(followerId, position.fetchOffset, { leaderEpoch, lastFetchedEpoch: position.lastFetchedEpoch }),
    1 << 20,
  );
  return follower.applyLeaderAnswer(position.fetchOffset, answer);
}

async function produce(p: Partition, seq: number, value: string, who = producer) {
  return p.appendAsLeader(idempotentBatch(who, seq, value), 1, leaderOnly);
}

describe('Partition: idempotent produce as leader', () => {
  it('a retried batch is answered with its original offsets, appended once, and acks=all waits for the original', async () => {
    const time = manualTime();
    const p = await leaderOf(time, [1, 2]);
    const first = await p.appendAsLeader(idempotentBatch(producer, 0, 'a'), 1, all);
    const retry = await p.appendAsLeader(idempotentBatch(producer, 0, 'a'), 1, all);
    expect(retry).toMatchObject({ ok: true, value: { baseOffset: 0n, lastOffset: 0n, duplicate: true } });
    expect(first).toMatchObject({ ok: true, value: { duplicate: false } });
    expect(p.logEndOffset).toBe(1n);
    if (!first.ok || !retry.ok) throw new Error('unreachable');
    const firstDone = settledFlag(first.value.replicated);
    const retryDone = settledFlag(retry.value.replicated);
    await turn();
    expect([firstDone.settled, retryDone.settled]).toEqual([false, false]);
    await p.answerFollowerFetch(fetchFrom(2, 1n, { leaderEpoch: 1 }), 1 << 20);
    await until(() => firstDone.settled && retryDone.settled, 'both acks=all waits to end');
    expect([firstDone.value, retryDone.value]).toEqual(['done', 'done']);
  });

  it('a gap in the sequence is refused with out_of_order_sequence and a message, and nothing is appended', async () => {
    const p = await leaderOf(manualTime(), [1]);
    await produce(p, 0, 'a');
    const gap = await produce(p, 2, 'c');
    expect(gap).toMatchObject({ ok: false, error: 'out_of_order_sequence' });
    expect(!gap.ok && gap.message).toMatch(/sequence 2 .* last sequence 0/);
    expect(p.logEndOffset).toBe(1n);
  });

  it('a batch of an epoch older than the producer’s is refused with invalid_producer_epoch', async () => {
    const p = await leaderOf(manualTime(), [1]);
    await produce(p, 0, 'a', { id: 1000n, epoch: 3 });
    expect(await produce(p, 1, 'b', { id: 1000n, epoch: 2 })).toMatchObject({
      ok: false,
      error: 'invalid_producer_epoch',
    });
    expect(p.logEndOffset).toBe(1n);
  });
});

describe('Partition: producer state on followers', () => {
  it('a follower that becomes leader answers a retry of a batch the old leader appended with its original offset', async () => {
    const time = manualTime();
    const oldLeader = await leaderOf(time, [1, 2]);
    const follower = await partitionOn(2, time);
    follower.applyState(state(1, 1, [1, 2]), { lagTimeMaxMs });
    await produce(oldLeader, 0, 'a');
    await produce(oldLeader, 1, 'b');
    expect((await round(oldLeader, follower, 2, 1)).kind).toBe('appended');
    // Broker 1 fails; broker 2 leads epoch 2. The producer never heard back about 'b' and resends it there.
    follower.applyState(state(2, 2, [1, 2], [2]), { lagTimeMaxMs });
    expect(await produce(follower, 1, 'b')).toMatchObject({ ok: true, value: { baseOffset: 1n, duplicate: true } });
    expect(await produce(follower, 2, 'c')).toMatchObject({ ok: true, value: { baseOffset: 2n, duplicate: false } });
    expect(follower.logEndOffset).toBe(3n);
  });

  it('a follower cut back to the leader’s log forgets the batches it lost: its state then equals the leader’s', async () => {
    const time = manualTime();
    const b1 = await leaderOf(time, [1, 2]);
    const b2 = await partitionOn(2, time);
    b2.applyState(state(1, 1, [1, 2]), { lagTimeMaxMs });
    await produce(b1, 0, 'a');
    expect((await round(b1, b2, 2, 1)).kind).toBe('appended');
    // Broker 2 led epoch 2 briefly and took sequence 1 ('b') that broker 1 never saw.
    b2.applyState(state(2, 2, [1, 2]), { lagTimeMaxMs });
    expect(await produce(b2, 1, 'b')).toMatchObject({ ok: true, value: { duplicate: false } });
    // Broker 1 leads again at epoch 3; the producer's retry of 'b' lands there, then 'c'.
    b1.applyState(state(1, 3, [1, 2]), { lagTimeMaxMs });
    b2.applyState(state(1, 3, [1, 2]), { lagTimeMaxMs });
    expect(await produce(b1, 1, 'b')).toMatchObject({ ok: true, value: { baseOffset: 1n, duplicate: false } });
    expect(await produce(b1, 2, 'c')).toMatchObject({ ok: true, value: { baseOffset: 2n } });
    expect(await round(b1, b2, 2, 3)).toMatchObject({ kind: 'truncated', to: 1n });
    expect(b2.log.producer(1000n)?.batches.map((b) => b.lastSeq)).toEqual([0]);
    expect((await round(b1, b2, 2, 3)).kind).toBe('appended');
    expect(b2.log.producer(1000n)).toEqual(b1.log.producer(1000n));
  });
});
