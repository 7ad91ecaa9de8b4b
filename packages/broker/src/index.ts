export { Broker, type BrokerOptions } from './broker.ts';
export { type BrokerConfig, defaultBrokerConfig, kafkaConfigMap } from './config.ts';
export { ClusterMismatchError } from './controller-session.ts';
// KIP-890 verification of a transactional Produce (the handler's part), run by the simulation's produce glue.
export {
  type ProduceVerification,
  produceAddsPartitionsSince,
  type VerifyProduceOptions,
  verifyTransactionalProduce,
} from './handlers/produce-verification.ts';
// Replication with its seams (clock, timers, transport, rules), for the deterministic simulation (test/simulation).
export type { EpochEnd } from './replication/divergence.ts';
export { Partition } from './replication/partition.ts';
export {
  type PartitionOptions,
  type PartitionRole,
  type PartitionState,
  samePartitionState,
} from './replication/partition-api.ts';
export {
  ReplicaManager,
  type ReplicaManagerOptions,
  type ReplicationConfig,
  replicationListenerName,
} from './replication/replica-manager.ts';
export { type ReplicationRules, runnelReplicationRules } from './replication/replication-rules.ts';
export type {
  ReplicaFetchListener,
  ReplicaFetchStream,
  ReplicationTransport,
} from './replication/replication-transport.ts';
// Transaction markers: the writer a transaction coordinator uses, and its seams (routing, transport).
export {
  BrokerMarkerWriter,
  type BrokerMarkerWriterOptions,
  imageRouting,
  type MarkerRouting,
  type MarkerTransport,
} from './transactions/broker-marker-writer.ts';
export { brokerMarkerHost, brokerMarkerWriter, grpcMarkerTransport } from './transactions/broker-markers.ts';
export type { MarkerRequest } from './transactions/txn-core.ts';
export type { ConsumerOffsetsMarkerHook, TxnMarkerHost } from './transactions/txn-marker-apply.ts';
export type { MarkerWriter } from './transactions/txn-ports.ts';
