/**
 * The follower's half of a replica fetch round for one partition: what to
 * do with the leader's answer. The leader's log is the truth, so the
 * answer decides: an out-of-range offset resets or cuts our log to the
 * leader's, a diverging epoch cuts it to the end of the common epoch (never
 * to our high watermark: the KIP-101 bug), batches are appended as they are
 * (offsets and epochs kept), and batches older than our newest epoch mean
 * our newer epochs are not in the leader's history and go.
 *
 * A pure decision over the log plus the one log operation it decides on;
 * Partition.applyLeaderAnswer calls it (the only caller: one round at a time
 * per partition, while it follows) and then moves its high watermark. The
 * outcome says what happened, for the fetcher's logs, metrics and pauses.
 */
import { PARTITION_LEADER_EPOCH_OFFSET, RECORD_BATCH_HEADER_BYTES } from '@runnel/protocol';
import type { ReplicaFetchPartitionError } from '@runnel/rpc';
import type { FollowerAppendError, PartitionLog } from '@runnel/storage';
import { type EpochEnd, newerEpochsStart } from './divergence.ts';
import type { ReplicationRules } from './replication-rules.ts';

/** Per-partition refusals a leader answers with: the replica fetch protocol's own errors. */
export type LeaderAnswerError = ReplicaFetchPartitionError;

/** The leader's answer for one partition (ReplicaFetchPartitionResponse without the addressing). */
export interface LeaderAnswer {
  readonly error: LeaderAnswerError;
  readonly highWatermark: bigint;
  readonly logStartOffset: bigint;
  readonly logEndOffset: bigint;
  readonly divergingEpoch: EpochEnd | null;
  /** Whole stored batches; empty when there was nothing to send. */
  readonly records: Buffer;
}

/** What the follower did with one answer. */
export type FollowerOutcome =
  /** Batches appended; the leader's high watermark may be taken. */
  | { readonly kind: 'appended'; readonly bytes: number }
  /** Nothing to append; the leader's high watermark may be taken. */
  | { readonly kind: 'caught_up' }
  /** Our log was behind the leader's log start or past its end: it now restarts or ends where the leader's does. */
  | { readonly kind: 'reset'; readonly from: bigint; readonly to: bigint }
  | {
      readonly kind: 'truncated';
      readonly cause: 'diverging_epoch';
      readonly divergingEpoch: number;
      readonly leaderEndOffset: bigint;
      readonly from: bigint;
      readonly to: bigint;
    }
  | {
      readonly kind: 'truncated';
      readonly cause: 'newer_epochs';
      readonly batchEpoch: number;
      readonly from: bigint;
      readonly to: bigint;
    }
  /** Ask again later: the leader refused, or what it sent does not fit (yet). */
  | { readonly kind: 'paused'; readonly cause: 'leader_error'; readonly error: LeaderAnswerError }
  | { readonly kind: 'paused'; readonly cause: 'append_refused'; readonly error: FollowerAppendError }
  | {
      readonly kind: 'paused';
      readonly cause: 'nothing_to_truncate';
      readonly divergingEpoch: number;
      readonly leaderEndOffset: bigint;
      readonly to: bigint;
    };

/**
 * Applies `answer` (to a fetch at `fetchOffset`, which is still our log
 * end) to `log`. `localHighWatermark` only matters to rules that cut to it.
 */
export async function applyLeaderAnswer(
  log: PartitionLog,
  rules: ReplicationRules,
  localHighWatermark: bigint,
  fetchOffset: bigint,
  answer: LeaderAnswer,
): Promise<FollowerOutcome> {
  switch (answer.error) {
    case 'none':
      break;
    case 'offset_out_of_range':
      if (fetchOffset < answer.logStartOffset || fetchOffset > answer.logEndOffset) {
        // Behind the leader's retention, or ahead of a leader that lost records (unclean election).
        const to = fetchOffset < answer.logStartOffset ? answer.logStartOffset : answer.logEndOffset;
        if (to < fetchOffset) await log.truncateTo(to);
        else await log.resetTo(to);
        return { kind: 'reset', from: fetchOffset, to };
      }
      return { kind: 'paused', cause: 'leader_error', error: answer.error };
    default:
      return { kind: 'paused', cause: 'leader_error', error: answer.error };
  }
  const diverging = answer.divergingEpoch;
  if (diverging !== null) {
    const to = rules.truncationOffset(
      diverging,
      log.endOffsetForEpoch(diverging.epoch),
      log.logStartOffset,
      answer.logStartOffset,
      localHighWatermark,
    );
    const from = log.logEndOffset;
    const where = { divergingEpoch: diverging.epoch, leaderEndOffset: diverging.endOffset };
    // Nothing of ours to cut, yet the leader says we diverge: asking again at once would only loop.
    if (to >= from && log.latestEpoch <= diverging.epoch)
      return { kind: 'paused', cause: 'nothing_to_truncate', ...where, to };
    await log.truncateTo(to);
    return { kind: 'truncated', cause: 'diverging_epoch', ...where, from, to };
  }
  if (answer.records.length === 0) return { kind: 'caught_up' };
  const appended = await log.appendAsFollower(answer.records);
  if (appended.ok) return { kind: 'appended', bytes: answer.records.length };
  if (appended.error !== 'epoch_regression' || answer.records.length < RECORD_BATCH_HEADER_BYTES) {
    return { kind: 'paused', cause: 'append_refused', error: appended.error };
  }
  // Batches of an epoch older than our newest, for offsets we hold nothing for: cut from where our
  // first epoch newer than the leader's batch begins, and fetch again from there.
  const batchEpoch = answer.records.readInt32BE(PARTITION_LEADER_EPOCH_OFFSET);
  const from = log.logEndOffset;
  const to = newerEpochsStart(log.endOffsetForEpoch(batchEpoch), log.logStartOffset);
  await log.truncateTo(to);
  return { kind: 'truncated', cause: 'newer_epochs', batchEpoch, from, to };
}
