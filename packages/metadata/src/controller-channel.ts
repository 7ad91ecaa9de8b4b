/**
 * The seam between brokers (and the CLI) and the controller. Brokers only
 * ever see this interface: today it is a direct call into the in-process
 * controller, later a gRPC client of the Raft quorum. Failures here are
 * closed unions; the broker maps them to Kafka error codes.
 */
import type { Result } from '@runnel/common';
import { limits } from '@runnel/common';
import type { BrokerListener, MetadataRecord } from './records.ts';

export interface CommittedBatch {
  readonly records: readonly MetadataRecord[];
  /** Offset of the last record; the batch occupies consecutive offsets ending here. */
  readonly lastOffset: bigint;
}

export type CreateTopicError =
  | 'topic_already_exists'
  | 'invalid_topic_name'
  | 'invalid_partitions'
  | 'invalid_replication_factor'
  | 'invalid_replica_assignment'
  | 'invalid_config';

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

export interface DeleteTopicResult {
  readonly name: string;
  readonly result: Result<{ topicId: string }, 'unknown_topic'>;
}

export interface RegisterBrokerRequest {
  readonly brokerId: number;
  /** Random per broker process start; tells a restart from a second broker claiming the id. */
  readonly incarnationId: string;
  readonly listeners: readonly BrokerListener[];
  readonly rack: string | null;
}

export interface ControllerChannel {
  /**
   * Delivers every committed batch in order: first everything committed so
   * far (from the start), then each new commit, synchronously when it
   * commits — before the admin call that caused it resolves. Returns an
   * unsubscribe function.
   */
  subscribe(listener: (batch: CommittedBatch) => void): () => void;
  registerBroker(req: RegisterBrokerRequest): Promise<Result<{ brokerEpoch: bigint }, 'duplicate_broker_registration'>>;
  createTopics(topics: readonly CreateTopicRequest[], options: { validateOnly: boolean }): Promise<CreateTopicResult[]>;
  deleteTopics(names: readonly string[]): Promise<DeleteTopicResult[]>;
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
