/**
 * The rules a simulation run uses: the broker's ReplicationRules (the
 * strategy Partition, the replica fetcher and ReplicaManager take) and the
 * controller's registration of a restarted broker. `runnelRules` are
 * exactly what production runs; the other sets put back, one at a time, a
 * rule that KIP-101, KIP-966 or KIP-903 replaced, so the scenario tests can
 * show the checker catching the bug the KIP fixed.
 */
import type { ReplicationRules } from '@runnel/broker';
import { runnelReplicationRules } from '@runnel/broker';
import { registerBrokerWithElr } from '@runnel/controller';

export interface SimRules {
  readonly name: string;
  /** Handed to the real Partition and ReplicaManager of every broker. */
  readonly replication: ReplicationRules;
  /** The controller's registration of a (re)started broker. */
  readonly register: typeof registerBrokerWithElr;
}

export const runnelRules: SimRules = {
  name: 'runnel',
  replication: runnelReplicationRules,
  register: registerBrokerWithElr,
};

/** Before KIP-903: ISR expansions carry no broker epochs, so a restarted broker can be voted back in unseen. */
export const noIsrBrokerEpochRules: SimRules = {
  ...runnelRules,
  name: 'pre-KIP-903 (no broker epochs in AlterPartition; a follower keeps its progress when it leaves the ISR)',
  replication: {
    ...runnelReplicationRules,
    name: 'pre-KIP-903',
    isrExpansionChecksBrokerEpochs: false,
    isrRejoinNeedsNewFetch: false,
  },
};

/** Without KIP-903's broker epochs, but a follower that left the ISR must fetch again to rejoin. */
export const newFetchOnlyRules: SimRules = {
  ...runnelRules,
  name: 'no broker epochs in AlterPartition, rejoin on a new fetch',
  replication: { ...runnelReplicationRules, name: 'new-fetch-only', isrExpansionChecksBrokerEpochs: false },
};

/** Kafka before KIP-101: a follower cuts to its high watermark when it starts following; no epoch checks. */
export const highWatermarkTruncationRules: SimRules = {
  ...runnelRules,
  name: 'pre-KIP-101 (truncate to the high watermark)',
  replication: {
    ...runnelReplicationRules,
    name: 'pre-KIP-101',
    divergingEpoch: () => null,
    truncationOnFollow: (highWatermark) => highWatermark,
  },
};

/** Epochs are checked, but the follower cuts to its high watermark instead of the end of the common epoch. */
export const divergenceToHighWatermarkRules: SimRules = {
  ...runnelRules,
  name: 'diverging epoch answered by truncating to the high watermark',
  replication: {
    ...runnelReplicationRules,
    name: 'divergence to the high watermark',
    truncationOffset: (_diverging, _local, _localStart, _leaderStart, highWatermark) => highWatermark,
  },
};

/** Before KIP-966: a broker back from an unclean shutdown stays an eligible leader. */
export const uncleanStaysEligibleRules: SimRules = {
  ...runnelRules,
  name: 'pre-KIP-966 (unclean restart stays eligible)',
  register: (image, req, sessions, options) =>
    registerBrokerWithElr(image, { ...req, previousShutdownClean: true }, sessions, options),
};
