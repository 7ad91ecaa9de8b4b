/**
 * DeleteRecords on a Partition pair (leader broker 1, follower broker 2)
 * with the replica fetch rounds run by hand: the leader's log start moves
 * at once, the follower copies it from the next answer, and the leader's
 * answer waits for the follower's next fetch to report it. Also the
 * offsetLag DescribeLogDirs reports.
 */
import { describe, expect, it } from 'vitest';
import type { Partition } from '../src/replication/partition.ts';
import { batchOf, fetchFrom, manualTime, partitionOn, state, type Time } from './replication-fixture.ts';

const lagTimeMaxMs = 30_000;
const leaderOnly = { acks: 1, minInsyncReplicas: 1, timeoutMs: 5_000 } as const;

async function pair(time: Time): Promise<{ leader: Partition; follower: Partition }> {
  const leader = await partitionOn(1, time);
  leader.applyState(state(1, 1, [1, 2]), { lagTimeMaxMs });
  const follower = await partitionOn(2, time);
  follower.applyState(state(1, 1, [1, 2]), { lagTimeMaxMs });
  return { leader, follower };
}

/** One replica fetch round: the follower asks from where it is, with its log start, and applies the answer. */
async function round(leader: Partition, follower: Partition): Promise<void> {
  const position = follower.fetchPosition();
  const answer = await leader.answerFollowerFetch(
    {
      ...fetchFrom(2, position.fetchOffset, { leaderEpoch: 1, lastFetchedEpoch: position.lastFetchedEpoch }),
      logStartOffset: position.logStartOffset,
    },
    1 << 20,
  );
  await follower.applyLeaderAnswer(position.fetchOffset, answer);
}

async function replicated(time: Time, ...values: string[]): Promise<{ leader: Partition; follower: Partition }> {
  const p = await pair(time);
  const appended = await p.leader.appendAsLeader(batchOf(...values), values.length, leaderOnly);
  expect(appended.ok).toBe(true);
  await round(p.leader, p.follower);
  await round(p.leader, p.follower);
  expect(p.leader.highWatermark).toBe(BigInt(values.length));
  return p;
}

describe('Partition.deleteRecords', () => {
  it('moves the leader log start at once and answers once the follower reported the same start', async () => {
    const { leader, follower } = await replicated(manualTime(), 'a', 'b', 'c', 'd');
    let settled = false;
    const deleting = leader.deleteRecords(3n, 5_000).then((r) => {
      settled = true;
      return r;
    });
    // The log's mutations run in order: once a flush queued after the move is done, so is the move.
    await leader.log.flush();
    expect(leader.logStartOffset).toBe(3n);
    expect(settled).toBe(false);
    await round(leader, follower);
    expect(follower.logStartOffset).toBe(3n);
    await round(leader, follower);
    expect(await deleting).toEqual({ ok: true, value: { lowWatermark: 3n } });
  });

  it('-1 deletes up to the high watermark; past it is offset_out_of_range; a follower is not_leader', async () => {
    const { leader, follower } = await replicated(manualTime(), 'a', 'b');
    expect(await leader.deleteRecords(3n, 5_000)).toEqual({ ok: false, error: 'offset_out_of_range' });
    expect(await follower.deleteRecords(1n, 5_000)).toEqual({ ok: false, error: 'not_leader' });
    const all = leader.deleteRecords(-1n, 5_000);
    await leader.log.flush();
    await round(leader, follower);
    await round(leader, follower);
    expect(await all).toEqual({ ok: true, value: { lowWatermark: 2n } });
  });

  it('times out while the follower never fetches', async () => {
    const time = manualTime();
    const { leader } = await replicated(time, 'a', 'b');
    const waiting = leader.deleteRecords(1n, 1_000);
    await leader.log.flush();
    time.advance(1_000);
    expect(await waiting).toEqual({ ok: false, error: 'timed_out' });
  });
});

describe('Partition.offsetForTimestamp after DeleteRecords', () => {
  it('a time inside the batch the deletion cut into finds the log start, not the batch base', async () => {
    const { leader, follower } = await replicated(manualTime(), 'a', 'b', 'c');
    const deleting = leader.deleteRecords(2n, 5_000);
    await leader.log.flush();
    await round(leader, follower);
    await round(leader, follower);
    expect((await deleting).ok).toBe(true);
    expect((await leader.offsetForTimestamp(0n))?.offset).toBe(2n);
  });
});

describe('Partition.offsetLag', () => {
  it("is 0 for a leader; a follower's is its distance to the leader's high watermark in the last answer", async () => {
    const { leader, follower } = await replicated(manualTime(), 'a', 'b');
    expect([leader.offsetLag, follower.offsetLag]).toEqual([0n, 0n]);
    await follower.applyLeaderAnswer(2n, {
      error: 'none',
      highWatermark: 9n,
      logStartOffset: 0n,
      logEndOffset: 9n,
      divergingEpoch: null,
      records: Buffer.alloc(0),
    });
    expect(follower.offsetLag).toBe(7n);
  });
});
