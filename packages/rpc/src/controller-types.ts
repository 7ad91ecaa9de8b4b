/**
 * The broker <-> controller RPCs in TypeScript terms: what the controller
 * implements (ControllerServiceHandler) and what ControllerClient returns.
 * Error names are closed unions; the broker maps them to Kafka error codes.
 */
import type { Result } from '@runnel/common';
import type {
  AlterConfigsResource,
  AlterConfigsResult,
  AlterPartitionError,
  AlterPartitionReply,
  AlterPartitionRequest,
  BrokerListener,
  BrokerStatus,
  CommittedBatch,
  CreatePartitionsResult,
  CreatePartitionsTopic,
  CreateTopicRequest,
  CreateTopicResult,
  DecommissionError,
  DeleteTopicResult,
  ElectLeadersResult,
  MetadataRecord,
  OngoingReassignment,
  PartitionReassignment,
  PartitionReassignmentResult,
  ReassignmentQuery,
  RegisterBrokerError,
  RegisterBrokerRequest,
  TopicPartitionRef,
} from '@runnel/metadata';

/** Who the answering controller believes leads; null parts are unknown (election running). */
export interface ControllerLeaderHint {
  readonly leaderId: number | null;
  /** host:port of the leader's ControllerService. */
  readonly leaderAddress: string | null;
}

/**
 * A controller's answer: the value, with the offset of the last metadata
 * record the call committed (-1n if none) so the caller can wait until its
 * metadata stream has applied it; or "not the controller, ask this one".
 */
export type ControllerAnswer<T> =
  | { readonly status: 'ok'; readonly value: T; readonly committedOffset: bigint }
  | { readonly status: 'not_controller'; readonly leader: ControllerLeaderHint };

export function answer<T>(value: T, committedOffset = -1n): ControllerAnswer<T> {
  return { status: 'ok', value, committedOffset };
}

export function notController(leader: ControllerLeaderHint): {
  status: 'not_controller';
  leader: ControllerLeaderHint;
} {
  return { status: 'not_controller', leader };
}

export interface BrokerHeartbeatRequest {
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
  /** The last metadata offset the broker has applied; -1n if none. */
  readonly metadataOffset: bigint;
  readonly wantsShutdown: boolean;
}

export interface BrokerHeartbeatState {
  readonly isFenced: boolean;
  readonly isCaughtUp: boolean;
  readonly shouldShutDown: boolean;
}

export type BrokerHeartbeatError = 'unknown_broker' | 'stale_broker_epoch';

/*
 * The admin request and result shapes are the ControllerChannel's own
 * (@runnel/metadata): the gRPC layer carries them unchanged.
 */
export type {
  AlterConfigsError,
  AlterConfigsResource as ConfigResourceChanges,
  AlterConfigsResult,
  AlterPartitionError,
  AlterPartitionReply,
  AlterPartitionRequest,
  ConfigAlteration as ConfigChange,
  ConfigOperation as ConfigOp,
  CreatePartitionsError,
  CreatePartitionsResult,
  CreatePartitionsTopic as CreatePartitionsRequest,
  RegisterBrokerError,
} from '@runnel/metadata';

export interface ClusterBroker {
  readonly brokerId: number;
  readonly brokerEpoch: bigint;
  readonly listeners: readonly BrokerListener[];
  readonly rack: string | null;
  readonly fenced: boolean;
}

export interface ClusterDescription {
  readonly clusterId: string;
  readonly controllerId: number;
  readonly brokers: readonly ClusterBroker[];
  readonly metadataOffset: bigint;
}

/** Where the controller pushes committed metadata for one FetchMetadata stream. */
export interface MetadataStreamSink {
  /** Records at consecutive offsets ending at batch.lastOffset, each after the previous batch. */
  batch(batch: CommittedBatch): void;
  /** The whole image as records, as of lastOffset; sent first when the asked offset is older than the log start. */
  snapshot(records: readonly MetadataRecord[], lastOffset: bigint): void;
}

export type FetchMetadataAnswer =
  | { readonly status: 'ok'; readonly stop: () => void }
  | { readonly status: 'not_controller'; readonly leader: ControllerLeaderHint };

/**
 * Implemented by the controller process. Each method gets a decoded,
 * type-checked request. A method that throws or rejects is a controller bug
 * or a stopped controller: the server logs it and answers gRPC INTERNAL.
 */
export interface ControllerServiceHandler {
  registerBroker(
    req: RegisterBrokerRequest,
  ): Promise<ControllerAnswer<Result<{ brokerEpoch: bigint }, RegisterBrokerError>>>;
  brokerHeartbeat(
    req: BrokerHeartbeatRequest,
  ): Promise<ControllerAnswer<Result<BrokerHeartbeatState, BrokerHeartbeatError>>>;
  /** Delivers records after `afterOffset` (sink calls may happen before this returns) until stop() is called. */
  fetchMetadata(afterOffset: bigint, sink: MetadataStreamSink): FetchMetadataAnswer;
  createTopics(
    topics: readonly CreateTopicRequest[],
    options: { validateOnly: boolean },
  ): Promise<ControllerAnswer<CreateTopicResult[]>>;
  deleteTopics(names: readonly string[]): Promise<ControllerAnswer<DeleteTopicResult[]>>;
  createPartitions(
    topics: readonly CreatePartitionsTopic[],
    options: { validateOnly: boolean },
  ): Promise<ControllerAnswer<CreatePartitionsResult[]>>;
  incrementalAlterConfigs(
    resources: readonly AlterConfigsResource[],
    options: { validateOnly: boolean },
  ): Promise<ControllerAnswer<AlterConfigsResult[]>>;
  describeCluster(): Promise<ControllerAnswer<ClusterDescription>>;
  alterPartition(
    req: AlterPartitionRequest,
  ): Promise<ControllerAnswer<Result<AlterPartitionReply, AlterPartitionError>>>;
  alterPartitionReassignments(
    reassignments: readonly PartitionReassignment[],
  ): Promise<ControllerAnswer<PartitionReassignmentResult[]>>;
  listPartitionReassignments(
    query: readonly ReassignmentQuery[] | null,
  ): Promise<ControllerAnswer<OngoingReassignment[]>>;
  electLeaders(partitions: readonly TopicPartitionRef[] | null): Promise<ControllerAnswer<ElectLeadersResult[]>>;
  describeBrokers(): Promise<ControllerAnswer<BrokerStatus[]>>;
  decommissionBroker(
    brokerId: number,
    options: { cancel: boolean },
  ): Promise<ControllerAnswer<Result<BrokerStatus, DecommissionError>>>;
}

/**
 * Why a call to the controller quorum produced no answer. 'not_controller':
 * every controller tried said it is not the leader and none named one.
 */
export type ControllerCallError =
  | 'unavailable'
  | 'deadline_exceeded'
  | 'not_controller'
  | 'malformed_response'
  | 'internal';

/** A successful call's value with the offset of what it committed (-1n if nothing). */
export interface ControllerReply<T> {
  readonly value: T;
  readonly committedOffset: bigint;
}
