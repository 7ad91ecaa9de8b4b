/**
 * The leader side of replication: answers a follower's ReplicaFetch with
 * raw batches from the log (never re-encoded), the high watermark, or —
 * when the follower's last epoch disagrees with our history — the epoch
 * and end offset to truncate to (KIP-320's diverging epoch). Each answered
 * offset is the follower's log end: it feeds the tracker, which moves the
 * high watermark and wakes acks=all produces.
 *
 * Reads stop at the end of the leader's completed appends, so a follower
 * never copies a batch the leader has not finished writing. With nothing to
 * send it long-polls, up to the request's max wait, for an append to any
 * requested partition. A moved high watermark alone does not end the wait:
 * followers learn it with the next data, as in Kafka (answering at once cost
 * an extra round trip per produce and a third of the small-batch
 * throughput).
 */
import type { Logger } from '@runnel/common';
import { leaderEpoch, offset } from '@runnel/common';
import type {
  ReplicaFetchHandler,
  ReplicaFetchPartitionRequest,
  ReplicaFetchPartitionResponse,
  ReplicaFetchRequest,
} from '@runnel/rpc';
import { divergingEpoch } from './divergence.ts';
import type { Partition } from './partition.ts';
import type { ReplicationMetrics } from './replication-metrics.ts';

export interface LeaderFetchHandlerOptions {
  /** The hosted partition with this topic id and index, if any. */
  readonly lookup: (topicId: string, partition: number) => Partition | undefined;
  readonly nowMs: () => number;
  readonly metrics: ReplicationMetrics;
  readonly logger: Logger;
  /** Called when a follower's fetch may allow an ISR change (it caught up). */
  readonly onFollowerProgress: (partition: Partition) => void;
}

const emptyRecords = Buffer.alloc(0);

export function leaderFetchHandler(options: LeaderFetchHandlerOptions): ReplicaFetchHandler {
  return async (request: ReplicaFetchRequest, signal: AbortSignal) => {
    const deadline = options.nowMs() + Math.max(0, request.maxWaitMs);
    for (;;) {
      const round = await answer(request, options);
      const waitMs = deadline - options.nowMs();
      if (round.bytes > 0 || round.urgent || waitMs <= 0 || signal.aborted) {
        return { partitions: round.partitions };
      }
      await waitForAppend(round.leading, waitMs, signal);
    }
  };
}

interface Round {
  partitions: ReplicaFetchPartitionResponse[];
  bytes: number;
  /** Something the follower should hear now: an error or a divergence. */
  urgent: boolean;
  leading: Partition[];
}

async function answer(request: ReplicaFetchRequest, options: LeaderFetchHandlerOptions): Promise<Round> {
  const round: Round = { partitions: [], bytes: 0, urgent: false, leading: [] };
  let remaining = request.maxBytes > 0 ? request.maxBytes : Number.MAX_SAFE_INTEGER;
  for (const asked of request.partitions) {
    const p = options.lookup(asked.topicId, asked.partition);
    const response = await answerPartition(request.replicaId, request.brokerEpoch, asked, p, remaining, options);
    if (response.error !== 'none' || response.divergingEpoch !== null) round.urgent = true;
    if (p !== undefined && response.error === 'none') round.leading.push(p);
    if (response.records.length > 0) {
      round.bytes += response.records.length;
      remaining -= response.records.length;
      options.metrics.bytesOut.inc(response.records.length);
    }
    round.partitions.push(response.value);
  }
  return round;
}

interface PartitionAnswer {
  value: ReplicaFetchPartitionResponse;
  error: ReplicaFetchPartitionResponse['error'];
  divergingEpoch: ReplicaFetchPartitionResponse['divergingEpoch'];
  records: Buffer;
}

async function answerPartition(
  followerId: number,
  brokerEpoch: bigint,
  asked: ReplicaFetchPartitionRequest,
  p: Partition | undefined,
  maxBytes: number,
  options: LeaderFetchHandlerOptions,
): Promise<PartitionAnswer> {
  const make = (
    error: ReplicaFetchPartitionResponse['error'],
    extra: Partial<Pick<ReplicaFetchPartitionResponse, 'divergingEpoch' | 'records'>> = {},
  ): PartitionAnswer => {
    const tracker = p?.tracker ?? null;
    const value: ReplicaFetchPartitionResponse = {
      topicId: asked.topicId,
      partition: asked.partition,
      error,
      highWatermark: offset(p?.highWatermark ?? -1n),
      logStartOffset: offset(p?.log.logStartOffset ?? -1n),
      logEndOffset: offset(tracker?.logEndOffset ?? p?.log.logEndOffset ?? -1n),
      divergingEpoch: extra.divergingEpoch ?? null,
      records: extra.records ?? emptyRecords,
    };
    return {
      value,
      error,
      divergingEpoch: value.divergingEpoch,
      records: value.records,
    };
  };
  if (p === undefined || p.closed) return make('unknown_partition');
  const tracker = p.tracker;
  if (p.role !== 'leader' || tracker === null) return make('not_leader');
  if (asked.currentLeaderEpoch >= 0 && asked.currentLeaderEpoch < p.leaderEpoch) return make('fenced_leader_epoch');
  if (asked.currentLeaderEpoch > p.leaderEpoch) return make('unknown_leader_epoch');

  // KIP-320: the follower's last epoch must end, in our log, at or after where it wants to continue.
  if (asked.lastFetchedEpoch >= 0) {
    const diverging = divergingEpoch(
      p.log.endOffsetForEpoch(asked.lastFetchedEpoch),
      asked.lastFetchedEpoch,
      asked.fetchOffset,
    );
    if (diverging !== null) {
      return make('none', {
        divergingEpoch: { epoch: leaderEpoch(diverging.epoch), endOffset: offset(diverging.endOffset) },
      });
    }
  }
  if (asked.fetchOffset < p.log.logStartOffset || asked.fetchOffset > tracker.logEndOffset) {
    return make('offset_out_of_range');
  }
  const fetched = p.onFollowerFetch(followerId, asked.fetchOffset, options.nowMs(), brokerEpoch);
  if (fetched === 'unknown_replica') return make('unknown_partition');
  if (fetched === 'offset_out_of_range') return make('offset_out_of_range');
  options.onFollowerProgress(p);
  if (maxBytes <= 0 || asked.fetchOffset >= tracker.logEndOffset) return make('none');
  // A caught-up follower asks for what was just appended: answer from memory, not the file.
  const cached = p.readTail(asked.fetchOffset, maxBytes, tracker.logEndOffset);
  let chunks: readonly Buffer[];
  if (cached !== null) {
    chunks = cached;
    options.metrics.tailCacheReads.inc();
  } else {
    options.metrics.logReads.inc();
    const read = await p.log.read(asked.fetchOffset, maxBytes, tracker.logEndOffset);
    if (!read.ok) return make('offset_out_of_range');
    chunks = read.records;
  }
  // One message field per partition: several appends are joined (protobuf copies them once more regardless).
  const records = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  return make('none', { records: records ?? emptyRecords });
}

/** Resolves on the first append to any of `partitions`, after `waitMs`, or when the stream ends. */
function waitForAppend(partitions: readonly Partition[], waitMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const cancels: (() => void)[] = [];
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      for (const c of cancels) c();
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    signal.addEventListener('abort', done);
    for (const p of partitions) cancels.push(p.onNextAppend(done));
  });
}
