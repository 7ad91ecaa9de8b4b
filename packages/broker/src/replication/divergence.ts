/**
 * The leader-epoch rules that keep replica logs identical (KIP-101, with
 * KIP-320's diverging epoch in the fetch response), as pure functions of
 * epoch-cache lookups; `runnelReplicationRules` (replication-rules.ts) is
 * made of them, and the deterministic simulation swaps old ones in.
 *
 * An `EpochEnd` is what `PartitionLog.endOffsetForEpoch(e)` answers: the
 * largest epoch at or below `e` that the log knows and the offset where it
 * ends (the start of the next epoch, or the log end); (-1, -1) below every
 * epoch it knows.
 */

export interface EpochEnd {
  readonly epoch: number;
  readonly endOffset: bigint;
}

/**
 * Leader side: a follower that continues at `fetchOffset` after a batch of
 * `lastFetchedEpoch` agrees with us only if that epoch ends, in our log, at
 * or after `fetchOffset`. Otherwise the answer is our end for that epoch
 * (`ours` = our endOffsetForEpoch(lastFetchedEpoch)) and the follower must
 * truncate. A follower with no epochs (empty log) always agrees.
 */
export function divergingEpoch(ours: EpochEnd, lastFetchedEpoch: number, fetchOffset: bigint): EpochEnd | null {
  if (lastFetchedEpoch < 0) return null;
  if (ours.epoch < lastFetchedEpoch || ours.endOffset < fetchOffset) return ours;
  return null;
}

/**
 * Follower side: where to cut after the leader reported `diverging`. The
 * end of the leader's epoch, or our own end for that epoch if it is
 * smaller (`local` = our endOffsetForEpoch(diverging.epoch)); when we lack
 * that epoch altogether, from our log start. When the leader knows no such
 * epoch, nothing of ours is known to agree: restart at the leader's log
 * start. Never our own high watermark (the KIP-101 bug).
 */
export function followerTruncationOffset(
  diverging: EpochEnd,
  local: EpochEnd,
  localLogStart: bigint,
  leaderLogStart: bigint,
): bigint {
  if (diverging.epoch < 0 || diverging.endOffset < 0n) return leaderLogStart;
  const localEnd = local.endOffset < 0n ? localLogStart : local.endOffset;
  return localEnd < diverging.endOffset ? localEnd : diverging.endOffset;
}

/**
 * Follower side: the leader sent batches of `batchEpoch`, older than our
 * newest epoch, for offsets we do not hold: our records of newer epochs are
 * not in the leader's history. Cut from where our first epoch newer than
 * `batchEpoch` begins (`local` = our endOffsetForEpoch(batchEpoch)).
 */
export function newerEpochsStart(local: EpochEnd, localLogStart: bigint): bigint {
  return local.endOffset < 0n ? localLogStart : local.endOffset;
}
