/**
 * Partition, the home of the replication decisions, over real
 * PartitionLogs on an in-memory disk and a manual clock: appends as leader
 * and as follower, when an acks=all produce completes or fails, what a
 * consumer and a follower may read, and what a follower does with its
 * leader's answers (the KIP-101/KIP-320 truncation among them).
 */
import { describe, expect, it } from 'vitest';
import type { Partition } from '../src/replication/partition.ts';
import { runnelReplicationRules } from '../src/replication/replication-rules.ts';
import {
  batchAt,
  batchOf,
  fetchFrom,
  manualTime,
  partitionOn,
  settledFlag,
  state,
  type Time,
  turn,
  valuesIn,
} from './replication-fixture.ts';

const lagTimeMaxMs = 30_000;
const all = (minInsyncReplicas: number, timeoutMs = 5_000) => ({ acks: -1, minInsyncReplicas, timeoutMs }) as const;
const leaderOnly = { acks: 1, minInsyncReplicas: 1, timeoutMs: 5_000 } as const;

async function leader(time: Time, replicas: number[], isr = replicas, minInsyncReplicas = 1): Promise<Partition> {
  const p = await partitionOn(1, time);
  p.applyState(state(1, 1, replicas, isr), { lagTimeMaxMs, minInsyncReplicas });
  return p;
}

async function appended(p: Partition, ...values: string[]): Promise<bigint> {
  const result = await p.appendAsLeader(batchOf(...values), values.length, leaderOnly);
  if (!result.ok) throw new Error(`append refused: ${result.error}`);
  return result.value.lastOffset;
}

describe('Partition as leader: produce', () => {
  it('acks=1 on a sole replica appends at the log end and moves the high watermark past the batch', async () => {
    const p = await leader(manualTime(), [1]);
    const result = await p.appendAsLeader(batchOf('a', 'b'), 2, leaderOnly);
    expect(result.ok && { base: result.value.baseOffset, last: result.value.lastOffset }).toEqual({
      base: 0n,
      last: 1n,
    });
    expect(result.ok && (await result.value.replicated)).toBe('done');
    expect([p.logEndOffset, p.highWatermark]).toEqual([2n, 2n]);
  });

  it('a follower refuses to append as leader with not_leader and writes nothing', async () => {
    const p = await partitionOn(1, manualTime());
    p.applyState(state(2, 1, [1, 2]), { lagTimeMaxMs });
    expect(await p.appendAsLeader(batchOf('a'), 1, leaderOnly)).toEqual({ ok: false, error: 'not_leader' });
    expect(p.logEndOffset).toBe(0n);
  });

  it('acks=all with the ISR below min.insync.replicas is refused with not_enough_replicas before appending', async () => {
    const p = await leader(manualTime(), [1, 2], [1], 2);
    expect(await p.appendAsLeader(batchOf('a'), 1, all(2))).toEqual({ ok: false, error: 'not_enough_replicas' });
    expect(p.logEndOffset).toBe(0n);
  });

  it('acks=all completes only once the follower has fetched past the batch', async () => {
    const p = await leader(manualTime(), [1, 2]);
    const result = await p.appendAsLeader(batchOf('a'), 1, all(2));
    if (!result.ok) throw new Error(result.error);
    const replicated = settledFlag(result.value.replicated);
    await p.answerFollowerFetch(fetchFrom(2, 0n), 1 << 20);
    await turn();
    expect(replicated.settled).toBe(false);
    expect(p.highWatermark).toBe(0n);
    await p.answerFollowerFetch(fetchFrom(2, 1n), 1 << 20);
    expect(await result.value.replicated).toBe('done');
    expect(p.highWatermark).toBe(1n);
  });

  it('acks=all fails with not_enough_replicas_after_append when the ISR shrinks below the minimum while it waits', async () => {
    const p = await leader(manualTime(), [1, 2], [1, 2], 2);
    const result = await p.appendAsLeader(batchOf('a'), 1, all(2));
    if (!result.ok) throw new Error(result.error);
    p.applyState({ ...state(1, 1, [1, 2], [1]), partitionEpoch: 2 }, { lagTimeMaxMs, minInsyncReplicas: 2 });
    expect(await result.value.replicated).toBe('not_enough_replicas_after_append');
  });

  it('acks=all that no follower confirms fails with timed_out once its timeout has passed on the clock', async () => {
    const time = manualTime();
    const p = await leader(time, [1, 2]);
    const result = await p.appendAsLeader(batchOf('a'), 1, all(2, 1_000));
    if (!result.ok) throw new Error(result.error);
    const replicated = settledFlag(result.value.replicated);
    time.advance(999);
    await turn();
    expect(replicated.settled).toBe(false);
    time.advance(1);
    expect(await result.value.replicated).toBe('timed_out');
    expect(p.ackWaiterCount).toBe(0);
  });

  it('acks=all waiters are told not_leader when leadership moves to another broker', async () => {
    const p = await leader(manualTime(), [1, 2]);
    const result = await p.appendAsLeader(batchOf('a'), 1, all(2));
    if (!result.ok) throw new Error(result.error);
    p.applyState(state(2, 2, [1, 2]), { lagTimeMaxMs });
    expect(await result.value.replicated).toBe('not_leader');
    expect(p.role).toBe('follower');
  });

  it('an append still being written when this broker starts leading a newer epoch reaches the new tracker: followers get it', async () => {
    const p = await leader(manualTime(), [1, 2]);
    const pending = p.appendAsLeader(batchOf('a'), 1, all(2));
    // Metadata makes us leader of epoch 2 before the append's write has completed.
    p.applyState(state(1, 2, [1, 2]), { lagTimeMaxMs });
    const result = await pending;
    if (!result.ok) throw new Error(result.error);
    const answer = await p.answerFollowerFetch(fetchFrom(2, 0n, { leaderEpoch: 2 }), 1 << 20);
    expect(valuesIn(answer.records).map((r) => r.value)).toEqual(['a']);
    await p.answerFollowerFetch(fetchFrom(2, 1n, { leaderEpoch: 2 }), 1 << 20);
    expect(await result.value.replicated).toBe('done');
  });
});

describe('Partition as leader: read bounds', () => {
  async function twoBatchesOneCommitted(): Promise<Partition> {
    const p = await leader(manualTime(), [1, 2]);
    await appended(p, 'a', 'b');
    await appended(p, 'c');
    await p.answerFollowerFetch(fetchFrom(2, 2n), 1 << 20);
    expect([p.highWatermark, p.logEndOffset]).toEqual([2n, 3n]);
    return p;
  }

  it('a consumer reads only whole batches below the high watermark, with their record count', async () => {
    const p = await twoBatchesOneCommitted();
    const read = await p.readCommitted(0n, 1 << 20);
    expect(read.ok && valuesIn(read.records).map((r) => r.value)).toEqual(['a', 'b']);
    expect(read.ok && read.recordCount).toBe(2);
    expect(read.highWatermark).toBe(2n);
  });

  it('a consumer between the high watermark and the log end gets no records and no error', async () => {
    const p = await twoBatchesOneCommitted();
    expect(await p.readCommitted(2n, 1 << 20)).toMatchObject({ ok: true, records: [], recordCount: 0 });
  });

  it('a consumer past the log end gets offset_out_of_range', async () => {
    const p = await twoBatchesOneCommitted();
    expect(await p.readCommitted(4n, 1 << 20)).toMatchObject({ ok: false, error: 'offset_out_of_range' });
  });

  it('a follower may read past the high watermark, up to the end of the completed appends', async () => {
    const p = await twoBatchesOneCommitted();
    const answer = await p.answerFollowerFetch(fetchFrom(2, 2n), 1 << 20);
    expect(answer.error).toBe('none');
    expect(valuesIn(answer.records)).toEqual([{ offset: 2n, value: 'c' }]);
  });

  it('a timestamp lookup never answers with an offset at or above the high watermark', async () => {
    const p = await leader(manualTime(), [1, 2]);
    await p.appendAsLeader(batchAt(1_000n, 'a'), 1, leaderOnly);
    await p.answerFollowerFetch(fetchFrom(2, 1n), 1 << 20);
    await p.appendAsLeader(batchAt(2_000n, 'b'), 1, leaderOnly);
    expect(await p.offsetForTimestamp(1_500n)).toBeNull();
    await p.answerFollowerFetch(fetchFrom(2, 2n), 1 << 20);
    expect(await p.offsetForTimestamp(1_500n)).toMatchObject({ offset: 1n, timestampMs: 2_000n });
  });
});

describe('Partition as leader: answering followers', () => {
  it('a fetch under an older leader epoch is answered fenced_leader_epoch and moves nothing', async () => {
    const p = await leader(manualTime(), [1, 2]);
    await appended(p, 'a');
    const answer = await p.answerFollowerFetch(fetchFrom(2, 1n, { leaderEpoch: 0 }), 1 << 20);
    expect(answer).toMatchObject({ error: 'fenced_leader_epoch', progressed: false });
    expect(p.highWatermark).toBe(0n);
  });

  it('a fetch under a leader epoch newer than ours is answered unknown_leader_epoch', async () => {
    const p = await leader(manualTime(), [1, 2]);
    expect((await p.answerFollowerFetch(fetchFrom(2, 0n, { leaderEpoch: 5 }), 1 << 20)).error).toBe(
      'unknown_leader_epoch',
    );
  });

  it('a fetch past our log end is answered offset_out_of_range', async () => {
    const p = await leader(manualTime(), [1, 2]);
    expect((await p.answerFollowerFetch(fetchFrom(2, 3n), 1 << 20)).error).toBe('offset_out_of_range');
  });

  it('a follower whose last epoch ends earlier in our log gets the diverging epoch and no records', async () => {
    const p = await leader(manualTime(), [1, 2]);
    await appended(p, 'a');
    p.applyState(state(1, 3, [1, 2]), { lagTimeMaxMs });
    await appended(p, 'b');
    const answer = await p.answerFollowerFetch(fetchFrom(2, 2n, { lastFetchedEpoch: 1 }), 1 << 20);
    expect(answer).toMatchObject({
      error: 'none',
      divergingEpoch: { epoch: 1, endOffset: 1n },
      records: Buffer.alloc(0),
    });
  });
});

describe('Partition as follower', () => {
  /** A leader (broker 1) and a follower (broker 2) of it, at leader epoch 1. */
  async function pair(time: Time): Promise<{ leader: Partition; follower: Partition }> {
    const l = await leader(time, [1, 2]);
    const f = await partitionOn(2, time);
    f.applyState(state(1, 1, [1, 2]), { lagTimeMaxMs });
    return { leader: l, follower: f };
  }

  async function round(leaderP: Partition, follower: Partition, leaderEpoch = 1) {
    const position = follower.fetchPosition();
    const answer = await leaderP.answerFollowerFetch(
      fetchFrom(2, position.fetchOffset, { leaderEpoch, lastFetchedEpoch: position.lastFetchedEpoch }),
      1 << 20,
    );
    return follower.applyLeaderAnswer(position.fetchOffset, answer);
  }

  it("appends the leader's batches as they are and takes its high watermark, capped at its own log end", async () => {
    const { leader: l, follower: f } = await pair(manualTime());
    await appended(l, 'a', 'b');
    expect(await round(l, f)).toEqual({ kind: 'appended', bytes: expect.any(Number) });
    expect([f.logEndOffset, f.highWatermark]).toEqual([2n, 0n]);
    expect(await round(l, f)).toEqual({ kind: 'caught_up' });
    expect([l.highWatermark, f.highWatermark]).toEqual([2n, 2n]);
  });

  it('a follower with records the leader lacks truncates to the end of the common epoch, then copies the leader', async () => {
    const time = manualTime();
    const { leader: l, follower: f } = await pair(time);
    await appended(l, 'a');
    expect((await round(l, f)).kind).toBe('appended');
    // The follower led epoch 2 for a while and wrote 'x' that the leader never saw.
    f.applyState(state(2, 2, [1, 2]), { lagTimeMaxMs });
    const forked = await f.appendAsLeader(batchOf('x'), 1, leaderOnly);
    expect(forked.ok).toBe(true);
    // Broker 1 leads again at epoch 3 and writes 'b' at the same offset.
    l.applyState(state(1, 3, [1, 2]), { lagTimeMaxMs });
    f.applyState(state(1, 3, [1, 2]), { lagTimeMaxMs });
    await appended(l, 'b');
    expect(await round(l, f, 3)).toMatchObject({ kind: 'truncated', cause: 'diverging_epoch', from: 2n, to: 1n });
    expect((await round(l, f, 3)).kind).toBe('appended');
    const read = await l.readCommitted(0n, 1 << 20);
    expect(read.ok && valuesIn(read.records).map((r) => r.value)).toEqual(['a']);
    expect(f.fetchPosition()).toEqual({ fetchOffset: 2n, lastFetchedEpoch: 3, logStartOffset: 0n });
  });

  it("a follower ahead of the leader's log end is cut back to it when told offset_out_of_range, its high watermark too", async () => {
    const ahead = await partitionOn(2, manualTime());
    // It led alone (ISR [2]), so its high watermark followed its own appends.
    ahead.applyState(state(2, 1, [1, 2], [2]), { lagTimeMaxMs });
    await appended(ahead, 'a');
    await appended(ahead, 'b', 'c');
    expect(ahead.highWatermark).toBe(3n);
    ahead.applyState(state(1, 2, [1, 2]), { lagTimeMaxMs });
    const outcome = await ahead.applyLeaderAnswer(3n, {
      error: 'offset_out_of_range',
      highWatermark: 1n,
      logStartOffset: 0n,
      logEndOffset: 1n,
      divergingEpoch: null,
      records: Buffer.alloc(0),
    });
    expect(outcome).toEqual({ kind: 'reset', from: 3n, to: 1n });
    expect([ahead.logEndOffset, ahead.highWatermark]).toEqual([1n, 1n]);
  });

  it('a refusal from the leader pauses the partition and leaves its log alone', async () => {
    const { leader: l, follower: f } = await pair(manualTime());
    await appended(l, 'a');
    const answer = await l.answerFollowerFetch(fetchFrom(2, 0n, { leaderEpoch: 0 }), 1 << 20);
    expect(await f.applyLeaderAnswer(0n, answer)).toEqual({
      kind: 'paused',
      cause: 'leader_error',
      error: 'fenced_leader_epoch',
    });
    expect(f.logEndOffset).toBe(0n);
  });

  it('under Runnel rules starting to follow keeps the log; a rule that cuts to the high watermark cuts it', async () => {
    const time = manualTime();
    for (const [rules, end] of [
      [runnelReplicationRules, 2n],
      [{ ...runnelReplicationRules, truncationOnFollow: (hw: bigint) => hw }, 0n],
    ] as const) {
      const p = await partitionOn(1, time, { rules });
      p.applyState(state(1, 1, [1, 2]), { lagTimeMaxMs });
      await appended(p, 'a', 'b');
      p.applyState(state(2, 2, [1, 2]), { lagTimeMaxMs });
      await p.startFollowing();
      expect(p.logEndOffset).toBe(end);
    }
  });
});
