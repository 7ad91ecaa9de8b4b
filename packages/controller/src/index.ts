// Public entry of @runnel/controller.
export type { ControllerConfig, ControllerConfigError, ControllerConfigInput, Voter } from './controller-config.ts';
export { controllerConfigDefaults, parseVoters, resolveControllerConfig } from './controller-config.ts';
export { alterConfigs } from './logic/alter-configs.ts';
export { alterPartition } from './logic/alter-partition.ts';
export { electOfflineLeaders, fenceBroker, shutDownBroker, unfenceBroker } from './logic/broker-fencing.ts';
// The pure partition rules, for the deterministic replication simulation (test/simulation).
export { checkClusterId, ensureClusterId, newClusterId } from './logic/cluster-id.ts';
export type { CreateTopicsOutcome, TopicDefaults } from './logic/create-topics.ts';
export { clusterTopicDefaults, createTopics, partitionsPerTopicMax } from './logic/create-topics.ts';
export { deleteTopics } from './logic/delete-topics.ts';
export type { PartitionLimits } from './logic/partition-limits.ts';
export {
  clusterPartitionLimits,
  defaultPartitionLimits,
  partitionLimitConfigNames,
} from './logic/partition-limits.ts';
export { registerBroker, registerBrokerWithElr } from './logic/register-broker.ts';
export type { ControllerHttpOptions } from './quorum/controller-http.ts';
export { ControllerHttpServer } from './quorum/controller-http.ts';
export type { ControllerMetricsSource } from './quorum/controller-metrics.ts';
export { ControllerMetrics } from './quorum/controller-metrics.ts';
export type { LocalQuorumOptions } from './quorum/local-quorum.ts';
export { LocalQuorum } from './quorum/local-quorum.ts';
export type { QuorumControllerOptions, QuorumObserver } from './quorum/quorum-controller.ts';
export { NodeIdentityError, QuorumController } from './quorum/quorum-controller.ts';
export type { RaftStoreOpenFailure } from './raft/raft-store-open-error.ts';
export { RaftStoreOpenError } from './raft/raft-store-open-error.ts';
