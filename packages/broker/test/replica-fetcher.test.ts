/**
 * ReplicaFetcher over a fake transport and a manual clock: each stream's
 * fetches are answered by the real leader fetch handling of a leader
 * Partition (or not at all), so the tests see whole fetch rounds, the
 * KIP-101 truncation, stream replacement after a timeout, and the pause
 * after a refusal, with time moving only when the test moves it.
 */
import { err, ok, silentLogger } from '@runnel/common';
import type { ReplicaFetchHandler, ReplicaFetchRequest, ReplicaFetchResult } from '@runnel/rpc';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ByteRateLimiter } from '../src/replication/byte-rate-limiter.ts';
import { leaderFetchHandler } from '../src/replication/leader-fetch-handler.ts';
import type { Partition } from '../src/replication/partition.ts';
import { ReplicaFetcher } from '../src/replication/replica-fetcher.ts';
import { ReplicationMetrics } from '../src/replication/replication-metrics.ts';
import type { ReplicaFetchStream } from '../src/replication/replication-transport.ts';
import {
  batchOf,
  manualTime,
  partitionOn,
  state,
  type Time,
  topicId,
  turn,
  until,
  valuesIn,
} from './replication-fixture.ts';

const lagTimeMaxMs = 30_000;
const maxWaitMs = 500;
const requestTimeoutMs = 1_000;
const backoffMs = 100;
const errorPauseMs = 200;

/** A stream whose fetches go to `answer` (null: never answered). */
class FakeStream implements ReplicaFetchStream {
  readonly requests: ReplicaFetchRequest[] = [];
  closed = false;
  readonly #answer: ((request: ReplicaFetchRequest) => Promise<ReplicaFetchResult>) | null;
  readonly #waiting: ((result: ReplicaFetchResult) => void)[] = [];

  constructor(answer: ((request: ReplicaFetchRequest) => Promise<ReplicaFetchResult>) | null) {
    this.#answer = answer;
  }

  fetch(request: ReplicaFetchRequest): Promise<ReplicaFetchResult> {
    this.requests.push(request);
    if (this.closed) return Promise.resolve(err('closed'));
    if (this.#answer !== null) return this.#answer(request);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const resolve of this.#waiting.splice(0)) resolve(err('closed'));
  }
}

const fetchers: ReplicaFetcher[] = [];
afterEach(async () => {
  for (const f of fetchers.splice(0)) await f.close();
});

interface Setup {
  readonly time: Time;
  readonly leader: Partition;
  readonly follower: Partition;
  readonly streams: FakeStream[];
  readonly metrics: ReplicationMetrics;
  readonly fetcher: ReplicaFetcher;
  /** fetchOffset of every request sent so far, in order. */
  offsets(): bigint[];
}

/** Broker 2 follows broker 1's partition; stream n is answered by `answers[n]` (default: the leader's handler). */
async function setup(
  options: { answers?: ('leader' | 'never')[]; prepare?: (l: Partition, f: Partition) => Promise<void> } = {},
): Promise<Setup> {
  const time = manualTime();
  const leader = await partitionOn(1, time);
  leader.applyState(state(1, 1, [1, 2]), { lagTimeMaxMs });
  const follower = await partitionOn(2, time);
  follower.applyState(state(1, 1, [1, 2]), { lagTimeMaxMs });
  await options.prepare?.(leader, follower);
  const metrics = new ReplicationMetrics(new Registry(), {
    partitions: () => [leader, follower],
    minInsyncReplicas: () => 1,
    nowMs: () => time.clock.monotonicMs(),
  });
  const handler: ReplicaFetchHandler = leaderFetchHandler({
    lookup: (id, index) => (id === topicId && index === 0 ? leader : undefined),
    clock: time.clock,
    timers: time.timers,
    metrics,
    logger: silentLogger(),
    onFollowerProgress: () => {},
  });
  const streams: FakeStream[] = [];
  const answers = options.answers ?? [];
  const fetcher = new ReplicaFetcher({
    nodeId: 2,
    leaderId: 1,
    address: 'leader:1',
    connect: () => {
      const mode = answers[streams.length] ?? 'leader';
      const signal = new AbortController().signal;
      const stream = new FakeStream(mode === 'never' ? null : async (r) => ok(await handler(r, signal)));
      streams.push(stream);
      return stream;
    },
    requestTimeoutMs,
    brokerEpoch: () => 7n,
    maxWaitMs,
    maxBytes: 1 << 20,
    backoffMs,
    logger: silentLogger(),
    clock: time.clock,
    timers: time.timers,
    metrics,
    throttle: new ByteRateLimiter(0, () => time.clock.monotonicMs()),
  });
  fetchers.push(fetcher);
  fetcher.add(follower);
  const offsets = () => streams.flatMap((s) => s.requests.map((r) => r.partitions[0]?.fetchOffset ?? -1n));
  return { time, leader, follower, streams, metrics, fetcher, offsets };
}

async function leaderAppends(p: Partition, ...values: string[]): Promise<void> {
  const result = await p.appendAsLeader(batchOf(...values), values.length, {
    acks: 1,
    minInsyncReplicas: 1,
    timeoutMs: 1_000,
  });
  if (!result.ok) throw new Error(result.error);
}

describe('ReplicaFetcher', () => {
  it("a round asks from the follower's log end and appends the leader's batches; a later round brings the high watermark", async () => {
    const s = await setup({ prepare: (l) => leaderAppends(l, 'a', 'b') });
    await until(() => s.follower.logEndOffset === 2n, 'follower holds both records');
    expect(s.streams[0]?.requests[0]).toMatchObject({ replicaId: 2, brokerEpoch: 7n, maxWaitMs });
    // The next fetch (at 2) moves the leader's high watermark; the leader then long-polls for maxWaitMs.
    await until(() => s.leader.highWatermark === 2n, 'leader high watermark');
    expect(s.follower.highWatermark).toBe(0n);
    s.time.advance(maxWaitMs);
    await until(() => s.follower.highWatermark === 2n, 'follower high watermark');
    expect(s.offsets().slice(0, 2)).toEqual([0n, 2n]);
  });

  it('a diverging epoch from the leader truncates the follower to the end of the common epoch before it fetches again', async () => {
    const s = await setup({
      prepare: async (l, f) => {
        await leaderAppends(l, 'a');
        const copy = await l.answerFollowerFetch(
          { followerId: 2, brokerEpoch: 7n, fetchOffset: 0n, lastFetchedEpoch: -1, currentLeaderEpoch: 1 },
          1 << 20,
        );
        expect((await f.applyLeaderAnswer(0n, copy)).kind).toBe('appended');
        // The follower then led epoch 2 and wrote 'x' the leader never saw; now broker 1 leads epoch 3.
        f.applyState(state(2, 2, [1, 2]), { lagTimeMaxMs });
        await leaderAppends(f, 'x');
        l.applyState(state(1, 3, [1, 2]), { lagTimeMaxMs });
        f.applyState(state(1, 3, [1, 2]), { lagTimeMaxMs });
        await leaderAppends(l, 'b');
      },
    });
    await until(() => s.offsets().length >= 3 && s.follower.logEndOffset === 2n, 'follower caught up');
    expect(s.offsets().slice(0, 3)).toEqual([2n, 1n, 2n]);
    const [counted] = (await s.metrics.truncations.get()).values;
    expect(counted?.value).toBe(1);
    const copied = await s.leader.answerFollowerFetch(
      { followerId: 2, brokerEpoch: 7n, fetchOffset: 0n, lastFetchedEpoch: -1, currentLeaderEpoch: 3 },
      1 << 20,
    );
    expect(valuesIn(copied.records).map((r) => r.value)).toEqual(['a', 'b']);
  });

  it('a fetch unanswered for max wait plus the request timeout closes its stream and the next round uses a new one', async () => {
    const s = await setup({ answers: ['never'], prepare: (l) => leaderAppends(l, 'a') });
    await until(() => s.streams[0]?.requests.length === 1, 'first fetch sent');
    s.time.advance(maxWaitMs + requestTimeoutMs - 1);
    await turn();
    expect(s.streams.length).toBe(1);
    s.time.advance(1);
    await until(() => s.streams.length === 2, 'stream replaced');
    expect(s.streams[0]?.closed).toBe(true);
    s.time.advance(backoffMs);
    await until(() => s.follower.logEndOffset === 1n, 'fetched over the new stream');
    expect(s.streams[1]?.requests.length).toBeGreaterThan(0);
  });

  it('a partition the leader refuses sits out the error pause before it is asked for again', async () => {
    const s = await setup({
      prepare: async (l) => {
        // Broker 1 no longer leads: it answers not_leader.
        l.applyState(state(3, 2, [1, 2, 3]), { lagTimeMaxMs });
      },
    });
    const pausedUntil = s.time.clock.monotonicMs() + errorPauseMs;
    await until(
      () => s.offsets().length === 1 && s.time.timers.nextDueMs() === pausedUntil,
      'the refusal and the pause',
    );
    s.time.advance(errorPauseMs - 1);
    await turn();
    expect(s.offsets().length).toBe(1);
    s.time.advance(1);
    await until(() => s.offsets().length === 2, 'asked again after the pause');
  });
});
