/**
 * The replication rules that KIP-101, KIP-320 and KIP-903 changed, as one
 * strategy object the replication code takes: the leader's diverging-epoch
 * check, where a follower cuts its log, and whether ISR expansions carry the
 * broker epochs the new members fetched under.
 *
 * Production always runs `runnelReplicationRules`. The seam exists for the
 * deterministic simulation (test/simulation), which swaps an old rule back
 * in and shows that its checker then finds lost acknowledged writes or
 * diverging logs: the proof that the scenarios exercise the rule.
 */
import { divergingEpoch, type EpochEnd, followerTruncationOffset } from './divergence.ts';

export interface ReplicationRules {
  readonly name: string;
  /** Leader side of a follower fetch (KIP-320): null when the follower's history agrees with ours. */
  divergingEpoch(ours: EpochEnd, lastFetchedEpoch: number, fetchOffset: bigint): EpochEnd | null;
  /** Follower side: where to cut after the leader reported a diverging epoch. */
  truncationOffset(
    diverging: EpochEnd,
    local: EpochEnd,
    localLogStart: bigint,
    leaderLogStart: bigint,
    localHighWatermark: bigint,
  ): bigint;
  /** Where a replica cuts its log when it starts following a leader; null keeps it (the leader decides). */
  truncationOnFollow(localHighWatermark: bigint): bigint | null;
  /**
   * KIP-903: an ISR expansion names the broker epoch each added member
   * fetched under, the leader proposes only members its metadata shows
   * registered under that epoch, and the controller refuses stale ones.
   */
  readonly isrExpansionChecksBrokerEpochs: boolean;
  /**
   * A follower that leaves the committed ISR joins again only on a fetch
   * made after it left (its old position is forgotten), as Kafka expands
   * the ISR only on fetches.
   */
  readonly isrRejoinNeedsNewFetch: boolean;
}

export const runnelReplicationRules: ReplicationRules = {
  name: 'runnel',
  divergingEpoch,
  truncationOffset: (diverging, local, localLogStart, leaderLogStart) =>
    followerTruncationOffset(diverging, local, localLogStart, leaderLogStart),
  // Kafka before KIP-101 cut to the high watermark here; a replica's log now stays until the leader says where it diverges.
  truncationOnFollow: () => null,
  isrExpansionChecksBrokerEpochs: true,
  isrRejoinNeedsNewFetch: true,
};
