/**
 * The vocabulary of the broker <-> controller contract: the request and
 * answer of every controller operation, as the brokers, the controller's
 * pure logic and the gRPC codecs all see them (one set of types; the wire
 * shapes are generated from the .proto files in @runnel/rpc, which also
 * holds the operation table and the ControllerChannel built on it).
 * Failures are closed unions; the broker maps them to Kafka error codes.
 */
import type { Result } from '@runnel/common';
import { limits } from '@runnel/common';
import type { BrokerListener, ConfigResourceType, MetadataRecord } from './records.ts';

export interface CommittedBatch {
  readonly records: readonly MetadataRecord[];
  /** Offset of the last record; the batch occupies consecutive offsets ending here. */
  readonly lastOffset: bigint;
  /**
   * The records are a whole image (a snapshot), not a continuation: the
   * subscriber fell behind the controller's log and must rebuild its image
   * from these records alone.
   */
  readonly reset?: true;
}

export type CreateTopicError =
  | 'topic_already_exists'
  | 'invalid_topic_name'
  | 'invalid_partitions'
  | 'invalid_replication_factor'
  | 'invalid_replica_assignment'
  | 'invalid_config'
  /** A partition limit (max.partitions.per.request, max.broker.partitions, max.partitions). */
  | 'policy_violation';

export interface CreateTopicRequest {
  readonly name: string;
  /** -1 = the broker default (num.partitions). */
  readonly numPartitions: number;
  /** -1 = the broker default (default.replication.factor). */
  readonly replicationFactor: number;
  /** Explicit replicas per partition; when non-empty numPartitions and replicationFactor must be -1. */
  readonly assignments: readonly { readonly partition: number; readonly brokerIds: readonly number[] }[];
  /** Topic config overrides. */
  readonly configs: Readonly<Record<string, string>>;
}

export interface CreatedTopic {
  readonly topicId: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  /** The overrides the topic was created with. */
  readonly configs: Readonly<Record<string, string>>;
}

export interface CreateTopicResult {
  readonly name: string;
  readonly result: Result<CreatedTopic, CreateTopicError>;
}

export interface DeleteTopicsRequest {
  readonly names: readonly string[];
  /** Topics named by id (DeleteTopics v6): exactly these go, never a newer topic under the same name. */
  readonly topicIds?: readonly string[];
}

export interface DeleteTopicResult {
  /** The topic's name; '' for an id that names no topic. */
  readonly name: string;
  /** The id asked for, on the answers to `topicIds`. */
  readonly byTopicId?: string;
  readonly result: Result<{ topicId: string }, 'unknown_topic' | 'unknown_topic_id'>;
}

/** Grow one topic to `count` partitions in total (Kafka's CreatePartitions). */
export interface CreatePartitionsTopic {
  readonly topic: string;
  /** The new total number of partitions; never fewer than the topic has. */
  readonly count: number;
  /** Replicas for each new partition, in order; empty = the controller places them. */
  readonly assignments: readonly (readonly number[])[];
}

export type CreatePartitionsError =
  | 'unknown_topic'
  | 'invalid_partitions'
  | 'invalid_replica_assignment'
  | 'invalid_replication_factor'
  /** A partition limit (max.partitions.per.request, max.broker.partitions, max.partitions). */
  | 'policy_violation';

export interface CreatePartitionsResult {
  readonly topic: string;
  readonly result: Result<null, CreatePartitionsError>;
}

export type ConfigOperation = 'set' | 'delete' | 'append' | 'subtract';

export interface ConfigAlteration {
  readonly name: string;
  readonly op: ConfigOperation;
  /** Ignored by 'delete'; append and subtract take a comma-separated list. */
  readonly value: string | null;
}

/** Changes to one resource's dynamic config (IncrementalAlterConfigs semantics: unlisted keys stay). */
export interface AlterConfigsResource {
  readonly resourceType: ConfigResourceType;
  /** Topic name, or broker id in decimal ("" = the cluster-wide default). */
  readonly resourceName: string;
  readonly changes: readonly ConfigAlteration[];
}

export type AlterConfigsError = 'unknown_topic' | 'invalid_config' | 'invalid_request';

export interface AlterConfigsResult {
  readonly resourceType: ConfigResourceType;
  readonly resourceName: string;
  readonly result: Result<null, AlterConfigsError>;
}

/**
 * A partition leader's proposal to change its ISR (Kafka's AlterPartition).
 * The epochs are the ones the leader last saw for the partition: the
 * controller applies the change only if both still hold, so a leader that
 * was replaced, or that raced another change, cannot overwrite newer state.
 */
export interface AlterPartitionRequest {
  /** The broker asking; it must be the partition's leader. */
  readonly leaderId: number;
  readonly topicId: string;
  readonly partition: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  /** The ISR the leader wants; it must contain the leader and only live replicas of the partition. */
  readonly isr: readonly number[];
  /**
   * For members the leader adds: the broker epoch each had when it fetched
   * (KIP-903). A broker that has restarted since (new registration) may have
   * lost records the leader saw it hold; the controller refuses it.
   */
  readonly addedBrokerEpochs?: readonly IsrMemberEpoch[];
}

export interface IsrMemberEpoch {
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
}

/**
 * Why the controller refused an ISR change. Kafka codes at the boundary:
 * UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH,
 * INVALID_UPDATE_VERSION (a stale partition epoch: refetch metadata and
 * retry), INELIGIBLE_REPLICA (a fenced or unknown broker in the ISR),
 * INVALID_REQUEST (not replicas of the partition, duplicates, or the leader
 * missing), NOT_CONTROLLER (the request is newer than this controller's
 * image: it lags or lost leadership; retry).
 */
export type AlterPartitionError =
  | 'unknown_topic_or_partition'
  | 'not_leader_or_follower'
  | 'fenced_leader_epoch'
  | 'invalid_update_version'
  | 'ineligible_replica'
  | 'invalid_request'
  | 'not_controller';

/** The partition's state after the change was committed (or found already in place). */
export interface AlterPartitionReply {
  readonly partitionEpoch: number;
  readonly isr: number[];
}

/**
 * Move one partition to a new replica set (Kafka's AlterPartitionReassignments,
 * KIP-455), or cancel the move in progress when `replicas` is null.
 */
export interface PartitionReassignment {
  readonly topic: string;
  readonly partition: number;
  /** The target replicas, preferred leader first; null cancels. */
  readonly replicas: readonly number[] | null;
}

/**
 * Why a reassignment was refused. Kafka codes at the boundary:
 * UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT (empty, repeated or
 * unregistered brokers), NO_REASSIGNMENT_IN_PROGRESS (a cancel with nothing
 * to cancel).
 */
export type ReassignmentError =
  | 'unknown_topic_or_partition'
  | 'invalid_replica_assignment'
  | 'no_reassignment_in_progress'
  /** A move onto a broker already hosting max.broker.partitions replicas. */
  | 'policy_violation';

export interface PartitionReassignmentResult {
  readonly topic: string;
  readonly partition: number;
  readonly result: Result<null, ReassignmentError>;
}

/** Partitions to list reassignments for: one topic's partition indexes. */
export interface ReassignmentQuery {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/** A partition whose reassignment is in progress. */
export interface OngoingReassignment {
  readonly topic: string;
  readonly partition: number;
  /** Target and current replicas together, target first. */
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

/** One registered broker as DescribeCluster reports it. */
export interface ClusterBroker {
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
  readonly listeners: readonly BrokerListener[];
  readonly rack: string | null;
  readonly fenced: boolean;
}

/** The cluster as the active controller sees it. */
export interface ClusterDescription {
  readonly clusterId: string;
  /** The active controller's node id. */
  readonly controllerId: number;
  readonly brokers: readonly ClusterBroker[];
  readonly metadataOffset: bigint;
}

export interface RegisterBrokerRequest {
  readonly brokerId: number;
  /** Random per broker process start; tells a restart from a second broker claiming the id. */
  readonly incarnationId: string;
  readonly listeners: readonly BrokerListener[];
  readonly rack: string | null;
  /**
   * The broker's previous run ended with a clean stop (its shutdown marker
   * was found). False after a crash: it may have lost unflushed records, so
   * the controller no longer counts it as an eligible leader (KIP-966).
   */
  readonly previousShutdownClean: boolean;
  /**
   * The cluster id kept in the broker's data directory (meta.properties), or
   * null for a new broker. The controller refuses a broker of another
   * cluster with 'inconsistent_cluster_id'.
   */
  readonly clusterId: string | null;
}

export type RegisterBrokerError = 'duplicate_broker_registration' | 'inconsistent_cluster_id';

/** A partition named by topic name, as ElectLeaders asks for it. */
export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** Why a preferred-leader election did not happen (Kafka: ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE, ...). */
export type ElectLeadersError = 'unknown_topic_or_partition' | 'election_not_needed' | 'preferred_leader_not_available';

export interface ElectLeadersResult {
  readonly topic: string;
  readonly partition: number;
  readonly result: Result<null, ElectLeadersError>;
}

/**
 * A broker's place in its lifecycle: active; decommissioning (an operator
 * asked for it to be drained: it gets no new replicas and its replicas are
 * moved away); removable (decommissioning and holding no replica, so it
 * leads nothing either: it may be stopped for good).
 */
export type BrokerLifecycle = 'active' | 'decommissioning' | 'removable';

/** One registered broker as the controller sees it (`runnel brokers list`). */
export interface BrokerStatus {
  readonly brokerId: number;
  readonly listeners: readonly BrokerListener[];
  readonly rack: string | null;
  readonly fenced: boolean;
  readonly state: BrokerLifecycle;
  /** Partitions with a replica on this broker, including replicas a move is adding or removing. */
  readonly replicas: number;
  /** Partitions this broker leads. */
  readonly leaders: number;
  /** Partitions with a move in progress onto or off this broker. */
  readonly moving: number;
  /**
   * Of `replicas`, those in partitions whose assignment an operator chose
   * (PartitionPlacement 'operator'): the balancer never moves them, not
   * even to drain this broker.
   */
  readonly pinned: number;
}

/**
 * Why a decommission (or its cancel) was refused: the broker is not
 * registered; the brokers left (live, not decommissioning) are fewer than
 * some partition's replication factor; a cancel for a broker that is not
 * being decommissioned.
 */
export type DecommissionError = 'unknown_broker' | 'insufficient_brokers' | 'not_decommissioning';

/** A broker's periodic report to the active controller (keeps its session, drives unfencing and controlled shutdown). */
export interface BrokerHeartbeat {
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
  /** Offset of the last metadata record the broker has replayed; -1n if none. */
  readonly metadataOffset: bigint;
  readonly wantShutDown: boolean;
  /**
   * Log directories offline after a storage fault (KIP-858's
   * OfflineLogDirs; Runnel brokers have one, named by its path). Absent or
   * empty: all online.
   */
  readonly offlineLogDirs?: readonly string[];
}

export type BrokerHeartbeatError = 'unknown_broker' | 'stale_broker_epoch';

export interface BrokerHeartbeatReply {
  readonly fenced: boolean;
  readonly caughtUp: boolean;
  /** Controlled shutdown is done: the broker leads nothing and may exit. */
  readonly shouldShutDown: boolean;
}

/** Why the controller quorum could not answer at all (no leader, unreachable): retriable. */
export class ControllerUnavailableError extends Error {
  override name = 'ControllerUnavailableError';
}

const topicNamePattern = /^[a-zA-Z0-9._-]+$/;

/** Kafka's rule: [a-zA-Z0-9._-], 1..249 characters, and not '.' or '..'. */
export function isValidTopicName(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= limits.topicNameLengthMax &&
    name !== '.' &&
    name !== '..' &&
    topicNamePattern.test(name)
  );
}

/**
 * One replica of the metadata quorum's log as the active controller sees it
 * (Kafka's DescribeQuorum ReplicaState). Offsets are metadata offsets, the
 * ones brokers apply, so voters and brokers compare.
 */
export interface QuorumReplica {
  readonly replicaId: number;
  /** The metadata offset its log reaches; -1 when unknown. */
  readonly logEndOffset: bigint;
  /** Leader wall-clock ms of its latest fetch (a voter's Raft answer, a broker's heartbeat); -1 when unknown. */
  readonly lastFetchTimestamp: bigint;
  /** Leader wall-clock ms when it last held everything the leader had; -1 when unknown. */
  readonly lastCaughtUpTimestamp: bigint;
}

/** A quorum member and where it listens (DescribeQuorum v2's nodes). */
export interface QuorumNode {
  readonly nodeId: number;
  readonly listeners: readonly { readonly name: string; readonly host: string; readonly port: number }[];
}

/** The metadata quorum (`runnel metadata-quorum`, Kafka's DescribeQuorum). */
export interface QuorumDescription {
  readonly leaderId: number;
  /** The Raft term of the current leader. */
  readonly leaderEpoch: number;
  /** The committed metadata offset. */
  readonly highWatermark: bigint;
  readonly voters: readonly QuorumReplica[];
  /** Registered brokers: they follow the committed log without voting. */
  readonly observers: readonly QuorumReplica[];
  readonly nodes: readonly QuorumNode[];
}

/** KIP-584 upgrade types (UpdateFeatures v1+; v0's allowDowngrade maps to safe_downgrade). */
export type FeatureUpgradeType = 'upgrade' | 'safe_downgrade' | 'unsafe_downgrade';

export interface FeatureUpdate {
  readonly feature: string;
  /** 0 removes the feature. */
  readonly maxVersionLevel: number;
  readonly upgradeType: FeatureUpgradeType;
}

/** Why an UpdateFeatures was refused (INVALID_UPDATE_VERSION), or a request that is malformed. */
export type UpdateFeaturesError = 'invalid_update_version' | 'invalid_request';
