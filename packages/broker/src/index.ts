export { Broker, type BrokerOptions } from './broker.ts';
export { type BrokerConfig, defaultBrokerConfig, kafkaConfigMap } from './config.ts';
export { ClusterMismatchError } from './controller-session.ts';
// The replication rules as pure code, for the deterministic replication simulation (test/simulation).
export { divergingEpoch, type EpochEnd, followerTruncationOffset, newerEpochsStart } from './replication/divergence.ts';
export { type IsrProposal, ReplicaTracker } from './replication/replica-tracker.ts';
