// Public entry of @runnel/client.
export type {
  ConfigEntry,
  ConfigResource,
  ConfigResourceType,
  ConfigResult,
  NewTopic,
  TopicResult,
} from './admin-requests.ts';
export { ConfigResourceTypes, ConfigSources } from './admin-requests.ts';
export type { BrokerAddress } from './bootstrap.ts';
export { parseBootstrap } from './bootstrap.ts';
export type {
  AdminOutcome,
  ClusterDescription,
  OngoingReassignment,
  ReassignmentListing,
  ReassignmentOutcome,
  ReassignmentTarget,
} from './cluster-admin.ts';
export { ClusterAdmin } from './cluster-admin.ts';
export type { BrokerInfo, ClusterMetadata, PartitionInfo, TopicInfo } from './cluster-metadata.ts';
export type {
  AlterResult,
  ConfigChange,
  ConfigResourceKind,
  DescribedConfig,
  DescribedResource,
} from './config-admin.ts';
export { ConfigAdmin, configResourceTypeIds, configSourceNames, configTypeNames } from './config-admin.ts';
export type { ConnectionOptions, RequestOptions } from './connection.ts';
export { Connection } from './connection.ts';
export type { ConsumedRecord, ConsumeOptions, PartitionReader } from './consume.ts';
export { consumePartition } from './consume.ts';
export type { AssignedPartitions } from './consumer-assignment.ts';
export {
  decodeConsumerAssignment,
  decodeSubscription,
  encodeConsumerAssignment,
  encodeSubscription,
} from './consumer-assignment.ts';
export type { CoordinatorAnswer } from './coordinator-lookup.ts';
export { askCoordinator, CoordinatorKeyType } from './coordinator-lookup.ts';
export type { ConnectionFailure } from './errors.ts';
export { ConnectionError, KafkaError } from './errors.ts';
export type { FencedProducerOptions } from './fenced-producer.ts';
export { FencedProducer } from './fenced-producer.ts';
export type {
  CommittedPartitionOffset,
  GroupDescription,
  GroupListing,
  GroupMember,
  GroupOverview,
  PartitionCommit,
  PartitionCommitResult,
} from './group-admin.ts';
export { GroupAdmin } from './group-admin.ts';
export type { GroupAssignmentContext, GroupMembershipOptions } from './group-membership.ts';
export { GroupMembership } from './group-membership.ts';
export type { CoordinatorLookups, HangingTransaction } from './hanging-transactions.ts';
export { findHangingTransactions } from './hanging-transactions.ts';
export type { KafkaClientOptions, ProduceOptions } from './kafka-client.ts';
export { fetchVersionBeforeTopicIds, KafkaClient } from './kafka-client.ts';
export type { Acks, FetchOptions, FetchResult, IsolationLevel, ProduceResult } from './partition-requests.ts';
export type { TransactionalProducerOptions, TxnOffset } from './transactional-producer.ts';
export { TransactionalProducer } from './transactional-producer.ts';
export type {
  PartitionProducers,
  ProducerState,
  TopicPartitionRef,
  TransactionDetails,
  TransactionListFilters,
  TransactionListing,
  TransactionsListing,
  TxnMarker,
} from './transactions-admin.ts';
export { TransactionsAdmin } from './transactions-admin.ts';
