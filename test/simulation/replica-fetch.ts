/**
 * Both ends of one replica fetch in the simulation, following Runnel's
 * broker code with the rules taken from the run's ReplicationRules:
 * - `answerFetch` is leader-fetch-handler.ts's answerPartition: epoch
 *   fencing, the KIP-320 diverging epoch, range checks, the tracker update
 *   (reported through `onProgress`), then whole batches below the leader's
 *   completed appends;
 * - `applyFetchResponse` is replica-fetcher.ts's #handle: out-of-range
 *   reset, truncation to the end of the common epoch, the follower append
 *   keeping offsets and epochs, and cutting epochs newer than the leader's.
 * The follower's log is the only state either one changes (the append);
 * the caller applies truncations and the HWM.
 */
import { newerEpochsStart } from '@runnel/broker';
import type { BrokerProcess } from './broker-process.ts';
import type { ReplicationRules } from './replication-rules.ts';
import type { SimLog } from './sim-log.ts';
import type { FetchError, SimMessage } from './sim-messages.ts';

export type FetchRequest = Extract<SimMessage, { type: 'fetch' }>;
export type FetchResponse = Extract<SimMessage, { type: 'fetch-response' }>;

export interface FetchAnswerContext {
  readonly proc: BrokerProcess;
  readonly log: SimLog;
  readonly rules: ReplicationRules;
  readonly followerId: number;
  readonly req: FetchRequest;
  readonly nowMs: number;
  readonly batchesMax: number;
  /** The tracker took the fetch; true when the HWM moved. */
  readonly onProgress: (highWatermarkChanged: boolean) => void;
}

export function answerFetch(ctx: FetchAnswerContext): FetchResponse {
  const { proc, log, req } = ctx;
  const tracker = proc.tracker;
  const answer = (
    error: FetchError,
    diverging: FetchResponse['diverging'] = null,
    batches: FetchResponse['batches'] = [],
  ): FetchResponse => ({
    type: 'fetch-response',
    fetchId: req.fetchId,
    error,
    highWatermark: proc.hwm,
    logStartOffset: log.logStartOffset,
    logEndOffset: tracker?.logEndOffset ?? log.logEndOffset,
    diverging,
    batches,
  });
  if (proc.role !== 'leader' || tracker === null) return answer('not_leader');
  const leaderEpoch = proc.state?.leaderEpoch ?? -1;
  if (req.currentLeaderEpoch >= 0 && req.currentLeaderEpoch < leaderEpoch) return answer('fenced_leader_epoch');
  if (req.currentLeaderEpoch > leaderEpoch) return answer('unknown_leader_epoch');
  if (req.lastFetchedEpoch >= 0) {
    const ours = log.endOffsetForEpoch(req.lastFetchedEpoch);
    const diverging = ctx.rules.divergingEpoch(ours, req.lastFetchedEpoch, req.fetchOffset);
    if (diverging !== null) return answer('none', diverging);
  }
  if (req.fetchOffset < log.logStartOffset || req.fetchOffset > tracker.logEndOffset) {
    return answer('offset_out_of_range');
  }
  const fetched = tracker.onFollowerFetch(ctx.followerId, req.fetchOffset, ctx.nowMs, req.brokerEpoch);
  if (!fetched.ok) return answer(fetched.error === 'unknown_replica' ? 'not_leader' : 'offset_out_of_range');
  ctx.onProgress(fetched.value.highWatermarkChanged);
  if (req.fetchOffset >= tracker.logEndOffset) return answer('none');
  const batches = log.batchesFrom(req.fetchOffset, ctx.batchesMax).filter((b) => b.lastOffset < tracker.logEndOffset);
  return answer('none', null, batches);
}

/** What the follower does after an answer. */
export type FollowerNext =
  | { readonly kind: 'truncate'; readonly to: bigint; readonly why: string }
  | { readonly kind: 'backoff' }
  | { readonly kind: 'refused'; readonly why: string }
  | { readonly kind: 'appended' | 'caught-up'; readonly leaderHighWatermark: bigint };

export function applyFetchResponse(
  log: SimLog,
  rules: ReplicationRules,
  r: FetchResponse,
  localHighWatermark: bigint,
): FollowerNext {
  const fetchOffset = log.logEndOffset;
  if (r.error === 'offset_out_of_range') {
    // Ahead of a leader that lost records: the leader's log is the truth.
    if (fetchOffset > r.logEndOffset) return { kind: 'truncate', to: r.logEndOffset, why: 'ahead of the leader' };
    return { kind: 'backoff' };
  }
  if (r.error !== 'none') return { kind: 'backoff' };
  if (r.diverging !== null) {
    const local = log.endOffsetForEpoch(r.diverging.epoch);
    const to = rules.truncationOffset(r.diverging, local, log.logStartOffset, r.logStartOffset, localHighWatermark);
    return { kind: 'truncate', to, why: `diverging epoch ${r.diverging.epoch} ends at ${r.diverging.endOffset}` };
  }
  if (r.batches.length === 0) return { kind: 'caught-up', leaderHighWatermark: r.highWatermark };
  const refused = log.appendAsFollower(r.batches);
  if (refused === 'epoch_regression') {
    const batchEpoch = r.batches[0]?.epoch ?? -1;
    const to = newerEpochsStart(log.endOffsetForEpoch(batchEpoch), log.logStartOffset);
    return { kind: 'truncate', to, why: `epochs newer than ${batchEpoch}` };
  }
  if (refused !== null) return { kind: 'refused', why: refused };
  return { kind: 'appended', leaderHighWatermark: r.highWatermark };
}
