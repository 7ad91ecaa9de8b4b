/**
 * The transaction coordinator's vocabulary: version-free request inputs
 * and results, its configuration, the store's closed failures and the one
 * place they (and the pre-KIP-588 fencing code) become Kafka error codes.
 * Knows nothing of requests on the wire: the handlers (next step) turn
 * AddPartitionsToTxn/AddOffsetsToTxn/EndTxn/InitProducerId into these.
 */
import { ErrorCode } from '@runnel/protocol';
import { partitionForGroup } from '../groups/types.ts';

/** Write failures of `__transaction_state` are the coordinators' shared ones (coordinator-store.ts). */
export type { StoreError, StoreResult } from '../coordinator-store.ts';
export { coordinatorWriteErrorCode } from '../coordinator-store.ts';

/** The internal topic that stores transaction metadata. */
export const transactionStateTopic = '__transaction_state';

/** transaction.state.log.num.partitions */
export const transactionStatePartitionsDefault = 50;

/**
 * The `__transaction_state` partition of a transactional id: Kafka hashes
 * transactional ids exactly as it hashes group ids (Java's String.hashCode).
 */
export function partitionForTransactionalId(transactionalId: string, partitions: number): number {
  return partitionForGroup(transactionalId, partitions);
}

export interface TransactionCoordinatorConfig {
  /** transaction.max.timeout.ms: InitProducerId asking for more answers INVALID_TRANSACTION_TIMEOUT. */
  readonly transactionMaxTimeoutMs: number;
  /** transactional.id.expiration.ms: an id at rest (not in a transaction) this long after its last update is forgotten. */
  readonly transactionalIdExpirationMs: number;
  /** offsets.topic.num.partitions, to find the `__consumer_offsets` partition AddOffsetsToTxn adds. */
  readonly offsetsTopicPartitions: number;
  /**
   * How long a request may wait behind a transaction's markers (or another
   * write of the same id) before it is answered CONCURRENT_TRANSACTIONS
   * for the client to retry; below the clients' request timeouts (30 s).
   */
  readonly queuedRequestTimeoutMs: number;
  /** Requests that may wait per transactional id; one more is answered CONCURRENT_TRANSACTIONS. */
  readonly queuedRequestsMax: number;
  /** Wait before the coordinator writes again after a write of its own failed (timeout abort, Complete record). */
  readonly writeRetryBackoffMs: number;
}

export const defaultTransactionCoordinatorConfig: TransactionCoordinatorConfig = {
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 604_800_000,
  offsetsTopicPartitions: 50,
  queuedRequestTimeoutMs: 10_000,
  queuedRequestsMax: 16,
  writeRetryBackoffMs: 1_000,
};

export interface InitProducerIdInput {
  readonly transactionalId: string;
  readonly transactionTimeoutMs: number;
  /** KIP-360 (InitProducerId v3+): the id and epoch the producer has, to bump instead of fencing; null when not sent (-1). */
  readonly current: { readonly producerId: bigint; readonly producerEpoch: number } | null;
}

export interface InitProducerIdResult {
  readonly errorCode: number;
  /** -1 on error. */
  readonly producerId: bigint;
  /** -1 on error. */
  readonly producerEpoch: number;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** The producer a transactional request says it is. */
export interface ProducerIdentity {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export interface AddPartitionsInput extends ProducerIdentity {
  readonly partitions: readonly TopicPartition[];
  /**
   * 2 when a partition leader adds the partitions for a transaction
   * version 2 client (KIP-890 part 2: Produce v12, TxnOffsetCommit v5
   * add their partition implicitly); absent for AddPartitionsToTxn from a
   * client (version 1).
   */
  readonly transactionVersion?: number;
}

export interface AddOffsetsInput extends ProducerIdentity {
  readonly groupId: string;
}

export interface EndTxnInput extends ProducerIdentity {
  /** true commits, false aborts. */
  readonly commit: boolean;
  /**
   * The client's transaction version: 2 for EndTxn v5+ (KIP-890 part 2:
   * every end bumps the producer epoch and the answer names the producer
   * id and epoch to use next), 1 below.
   */
  readonly transactionVersion: number;
}

export interface EndTxnResult {
  readonly errorCode: number;
  /** Transaction version 2: the producer id to use next; -1 on error and for version 1. */
  readonly producerId: bigint;
  /** Transaction version 2: the epoch to use next; -1 on error and for version 1. */
  readonly producerEpoch: number;
}

export type TransactionResult = 'commit' | 'abort';

/** A transactional id as DescribeTransactions / ListTransactions report it. */
export interface TransactionDescription {
  readonly transactionalId: string;
  readonly state: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly transactionTimeoutMs: number;
  /** -1 when no transaction is open. */
  readonly startTimestampMs: number;
  readonly partitions: readonly TopicPartition[];
}

export type TxnApi = 'initProducerId' | 'addPartitionsToTxn' | 'addOffsetsToTxn' | 'endTxn';

/** The first version of each API whose clients know PRODUCER_FENCED (KIP-588). */
const producerFencedSince: Record<TxnApi, number> = {
  initProducerId: 4,
  addPartitionsToTxn: 2,
  addOffsetsToTxn: 2,
  endTxn: 2,
};

/** The machine answers PRODUCER_FENCED; older request versions get INVALID_PRODUCER_EPOCH, which their clients treat alike. */
export function errorCodeForVersion(api: TxnApi, version: number, errorCode: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && version < producerFencedSince[api]
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : errorCode;
}
