/**
 * The replication rules the simulation runs, as a seam: `runnelRules` are
 * the real pure functions from @runnel/broker and @runnel/controller; the
 * broken variants put back the bugs KIP-101 and KIP-966 fixed, so the tests
 * can prove that the scripted scenarios and the checker notice them.
 */
import type { EpochEnd } from '@runnel/broker';
import { divergingEpoch, followerTruncationOffset } from '@runnel/broker';
import { registerBrokerWithElr } from '@runnel/controller';

export interface ReplicationRules {
  readonly name: string;
  /** Leader side of a follower fetch (KIP-320): null when the follower's history agrees with ours. */
  readonly divergingEpoch: (ours: EpochEnd, lastFetchedEpoch: number, fetchOffset: bigint) => EpochEnd | null;
  /** Follower side: where to cut after the leader reported a diverging epoch. */
  readonly truncationOffset: (
    diverging: EpochEnd,
    local: EpochEnd,
    localLogStart: bigint,
    leaderLogStart: bigint,
    localHighWatermark: bigint,
  ) => bigint;
  /** Where a replica cuts its log when it starts following a leader; null keeps it (the leader decides). */
  readonly truncateOnFollow: (localHighWatermark: bigint) => bigint | null;
  /**
   * KIP-903: the leader sends, for members it adds to the ISR, the broker
   * epoch they fetched under, and the controller refuses stale ones. False
   * drops those epochs from the request (Runnel before the fix).
   */
  readonly checkIsrBrokerEpochs: boolean;
  /** The controller's registration of a restarted broker. */
  readonly register: typeof registerBrokerWithElr;
}

export const runnelRules: ReplicationRules = {
  name: 'runnel',
  divergingEpoch,
  truncationOffset: (diverging, local, localStart, leaderStart) =>
    followerTruncationOffset(diverging, local, localStart, leaderStart),
  truncateOnFollow: () => null,
  checkIsrBrokerEpochs: true,
  register: registerBrokerWithElr,
};

/** Before KIP-903: AlterPartition carries no broker epochs, so a restarted broker can be voted back in unseen. */
export const noIsrBrokerEpochRules: ReplicationRules = {
  ...runnelRules,
  name: 'pre-KIP-903 (no broker epochs in AlterPartition)',
  checkIsrBrokerEpochs: false,
};

/** Kafka before KIP-101: a follower cuts to its high watermark when it starts following; no epoch checks. */
export const highWatermarkTruncationRules: ReplicationRules = {
  ...runnelRules,
  name: 'pre-KIP-101 (truncate to the high watermark)',
  divergingEpoch: () => null,
  truncateOnFollow: (hwm) => hwm,
};

/** Epochs are checked, but the follower cuts to its high watermark instead of the end of the common epoch. */
export const divergenceToHighWatermarkRules: ReplicationRules = {
  ...runnelRules,
  name: 'diverging epoch answered by truncating to the high watermark',
  truncationOffset: (_diverging, _local, _localStart, _leaderStart, hwm) => hwm,
};

/** Before KIP-966: a broker back from an unclean shutdown stays an eligible leader. */
export const uncleanStaysEligibleRules: ReplicationRules = {
  ...runnelRules,
  name: 'pre-KIP-966 (unclean restart stays eligible)',
  register: (image, req, sessions, options) =>
    registerBrokerWithElr(image, { ...req, previousShutdownClean: true }, sessions, options),
};
