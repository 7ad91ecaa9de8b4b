/**
 * The leader side of replication: answers a follower's ReplicaFetch, one
 * partition at a time through Partition.answerFollowerFetch (epoch fencing,
 * the KIP-320 diverging epoch, the tracker update that moves the high
 * watermark and wakes acks=all produces, raw batches never re-encoded),
 * within the request's byte budget, capped by this broker's
 * replica.fetch.response.max.bytes: a peer asking for 2^31 bytes gets at
 * most that (and one first batch whole), read no further than that.
 *
 * With nothing to send it long-polls, up to the request's max wait (a timer
 * from the Timers seam), for an append to any requested partition. A moved
 * high watermark alone does not end the wait: followers learn it with the
 * next data, as in Kafka (answering at once cost an extra round trip per
 * produce and a third of the small-batch throughput).
 */
import type { Clock, Logger, Timers } from '@runnel/common';
import { leaderEpoch, offset } from '@runnel/common';
import type {
  ReplicaFetchHandler,
  ReplicaFetchPartitionRequest,
  ReplicaFetchPartitionResponse,
  ReplicaFetchRequest,
} from '@runnel/rpc';
import type { FrameClaim } from '../network/frame-pool.ts';
import type { ReadMemory } from './follower-answer.ts';
import type { Partition } from './partition.ts';
import type { FollowerFetchAnswer } from './partition-api.ts';
import type { ReplicationMetrics } from './replication-metrics.ts';

export interface LeaderFetchHandlerOptions {
  /** The hosted partition with this topic id and index, if any. */
  readonly lookup: (topicId: string, partition: number) => Partition | undefined;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly metrics: ReplicationMetrics;
  readonly logger: Logger;
  /** Called when a follower's fetch may allow an ISR change (it caught up). */
  readonly onFollowerProgress: (partition: Partition) => void;
  /** The most record bytes one answer carries (replica.fetch.response.max.bytes); default: what the request asks. */
  readonly responseBytesMax?: () => number;
  /** Recycled memory for log reads (the broker's FramePool), released once the response is sent; default fresh buffers. */
  readonly memory?: ReadMemory;
}

export function leaderFetchHandler(options: LeaderFetchHandlerOptions): ReplicaFetchHandler {
  return async (request: ReplicaFetchRequest, signal: AbortSignal) => {
    const deadline = options.clock.monotonicMs() + Math.max(0, request.maxWaitMs);
    for (;;) {
      const round = await answer(request, options);
      const waitMs = deadline - options.clock.monotonicMs();
      const release = (): void => {
        for (const claim of round.claims) claim.release();
      };
      if (round.bytes > 0 || round.urgent || waitMs <= 0 || signal.aborted) {
        return { partitions: round.partitions, release };
      }
      release();
      await waitForAppend(round.leading, waitMs, signal, options.timers);
    }
  };
}

interface Round {
  partitions: ReplicaFetchPartitionResponse[];
  bytes: number;
  /** Something the follower should hear now: an error or a divergence. */
  urgent: boolean;
  leading: Partition[];
  /** Claims on recycled frames the records are views of: released once the response is sent (see FramePool). */
  claims: FrameClaim[];
}

async function answer(request: ReplicaFetchRequest, options: LeaderFetchHandlerOptions): Promise<Round> {
  const round: Round = { partitions: [], bytes: 0, urgent: false, leading: [], claims: [] };
  const requested = request.maxBytes > 0 ? request.maxBytes : Number.MAX_SAFE_INTEGER;
  let remaining = Math.min(requested, options.responseBytesMax?.() ?? requested);
  for (const asked of request.partitions) {
    const p = options.lookup(asked.topicId, asked.partition);
    const { answered, claim } = await answerPartition(request, asked, p, remaining, options);
    if (claim !== null) round.claims.push(claim);
    if (answered.error !== 'none' || answered.divergingEpoch !== null) round.urgent = true;
    if (p !== undefined && answered.error === 'none') round.leading.push(p);
    if (answered.records.length > 0) {
      round.bytes += answered.records.length;
      remaining -= answered.records.length;
      options.metrics.bytesOut.inc(answered.records.length);
    }
    round.partitions.push(answered);
  }
  return round;
}

async function answerPartition(
  request: ReplicaFetchRequest,
  asked: ReplicaFetchPartitionRequest,
  p: Partition | undefined,
  maxBytes: number,
  options: LeaderFetchHandlerOptions,
): Promise<{ answered: ReplicaFetchPartitionResponse; claim: FrameClaim | null }> {
  const address = { topicId: asked.topicId, partition: asked.partition };
  if (p === undefined) {
    const answered = {
      ...address,
      error: 'unknown_partition',
      highWatermark: offset(-1n),
      logStartOffset: offset(-1n),
      logEndOffset: offset(-1n),
      divergingEpoch: null,
      records: Buffer.alloc(0),
    } as const;
    return { answered, claim: null };
  }
  const answered: FollowerFetchAnswer = await p.answerFollowerFetch(
    {
      followerId: request.replicaId,
      brokerEpoch: request.brokerEpoch,
      fetchOffset: asked.fetchOffset,
      lastFetchedEpoch: asked.lastFetchedEpoch,
      currentLeaderEpoch: asked.currentLeaderEpoch,
      logStartOffset: asked.logStartOffset,
    },
    maxBytes,
    options.memory ?? null,
  );
  if (answered.progressed) options.onFollowerProgress(p);
  if (answered.source === 'tail') options.metrics.tailCacheReads.inc();
  if (answered.source === 'log') options.metrics.logReads.inc();
  const diverging = answered.divergingEpoch;
  const response: ReplicaFetchPartitionResponse = {
    ...address,
    error: answered.error,
    highWatermark: offset(answered.highWatermark),
    logStartOffset: offset(answered.logStartOffset),
    logEndOffset: offset(answered.logEndOffset),
    divergingEpoch:
      diverging === null ? null : { epoch: leaderEpoch(diverging.epoch), endOffset: offset(diverging.endOffset) },
    records: answered.records,
  };
  return { answered: response, claim: answered.claim };
}

/** Resolves on the first append to any of `partitions`, after `waitMs`, or when the stream ends. */
function waitForAppend(
  partitions: readonly Partition[],
  waitMs: number,
  signal: AbortSignal,
  timers: Timers,
): Promise<void> {
  return new Promise((resolve) => {
    const cancels: (() => void)[] = [];
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      timer.cancel();
      signal.removeEventListener('abort', done);
      for (const c of cancels) c();
      resolve();
    };
    const timer = timers.setTimeout(done, waitMs);
    signal.addEventListener('abort', done);
    for (const p of partitions) cancels.push(p.onNextAppend(done));
  });
}
