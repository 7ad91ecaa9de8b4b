/**
 * The leader-epoch decisions of the consumer data path (KIP-320), pure:
 * fencing a request by the leader epoch its sender knows, where a
 * consumer's fetch position diverges from this log's history, and what
 * OffsetForLeaderEpoch answers a consumer. The Fetch, ListOffsets and
 * OffsetForLeaderEpoch handlers call them with what the partition reports.
 */
import { ErrorCode } from '@runnel/protocol';
import { divergingEpoch, type EpochEnd } from '../replication/divergence.ts';

/**
 * A request's currentLeaderEpoch against this leader's: -1 (or absent)
 * skips the check; an older one is FENCED_LEADER_EPOCH (the sender's
 * metadata is stale: refresh it); a newer one UNKNOWN_LEADER_EPOCH (this
 * broker has not caught up with the metadata yet: retry).
 */
export function leaderEpochError(currentLeaderEpoch: number, leaderEpoch: number): number {
  if (currentLeaderEpoch < 0 || currentLeaderEpoch === leaderEpoch) return ErrorCode.NONE;
  return currentLeaderEpoch < leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
}

/**
 * A fetch at `fetchOffset` whose previous batch was written in
 * `lastFetchedEpoch`: null when this log's history agrees (that epoch ends
 * here at or after `fetchOffset`, or the fetcher sent no epoch), else the
 * diverging epoch to answer, `ours` being this log's end for that epoch.
 * The same rule as a follower's (replication/divergence.ts): a consumer
 * that read records an unclean leader change removed learns where this
 * log's history departs from what it read.
 */
export function consumerDivergence(ours: EpochEnd, lastFetchedEpoch: number, fetchOffset: bigint): EpochEnd | null {
  return divergingEpoch(ours, lastFetchedEpoch, fetchOffset);
}

/** The replica ids that mark a request from a consumer (-1) or a debugging tool (-2), not a follower. */
export function isFromFollower(replicaId: number): boolean {
  return replicaId >= 0;
}

/**
 * OffsetForLeaderEpoch's answer: this log's end for the epoch; for anyone
 * but a follower never past the high watermark (KIP-320: a consumer must
 * not learn of offsets it cannot read yet).
 */
export function epochEndAnswer(ours: EpochEnd, highWatermark: bigint, follower: boolean): EpochEnd {
  if (follower || ours.endOffset < 0n || ours.endOffset <= highWatermark) return ours;
  return { epoch: ours.epoch, endOffset: highWatermark };
}
