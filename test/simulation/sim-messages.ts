/**
 * The messages of the replication simulation, as data: the replica fetch
 * stream (Runnel's ReplicaFetchRequest/Response as the broker code builds
 * and reads them), AlterPartition, broker registration and heartbeats,
 * committed metadata (the controller's whole image: it is immutable),
 * produce (plain, idempotent or transactional), the transaction
 * coordinator's WriteTxnMarkers and its KIP-890 verification.
 */
import type { Result } from '@runnel/common';
import type { AlterPartitionError, AlterPartitionReply, AlterPartitionRequest, MetadataImage } from '@runnel/metadata';
import type { ReplicaFetchRequest, ReplicaFetchResponse } from '@runnel/rpc';
import type { ProducerAppendError } from '@runnel/storage';

/** The node ids that are not brokers. */
export const controllerNode = 0;
export const producerNode = 100;
/** The idempotent producer, the transactional producer, and their (model) transaction coordinator. */
export const idempotentProducerNode = 101;
export const txnProducerNode = 102;
export const coordinatorNode = 103;
/** Replays old batches of the transactional producer's earlier epochs (a zombie's late requests). */
export const zombieNode = 104;

export type ProduceOutcome =
  | 'done'
  | 'not_leader'
  | 'not_enough_replicas'
  | 'not_enough_replicas_after_append'
  | 'timed_out'
  /** Transaction version 2: the coordinator is still ending the producer's previous transaction (retriable). */
  | 'concurrent_transactions'
  /** Produce v11+: the coordinator did not verify the partition in the ongoing transaction. */
  | 'transaction_abortable'
  | ProducerAppendError;

/** The producer fields of an idempotent or transactional batch. */
export interface SimProducerFields {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly transactional: boolean;
}

export type MarkerOutcome =
  | 'done'
  | 'not_leader'
  | 'coordinator_fenced'
  | 'not_enough_replicas'
  | 'not_enough_replicas_after_append'
  | 'timed_out';

export type SimMessage =
  | {
      readonly type: 'fetch';
      /** The follower's stream (one per ReplicaFetchStream it opened); answers go back on it. */
      readonly streamId: number;
      readonly requestId: number;
      readonly request: ReplicaFetchRequest;
    }
  | {
      readonly type: 'fetch-response';
      readonly streamId: number;
      readonly requestId: number;
      readonly response: ReplicaFetchResponse;
    }
  | { readonly type: 'alter-partition'; readonly requestId: number; readonly request: AlterPartitionRequest }
  | {
      readonly type: 'alter-partition-response';
      readonly requestId: number;
      readonly result: Result<AlterPartitionReply, AlterPartitionError>;
    }
  | { readonly type: 'register'; readonly incarnationId: string; readonly previousShutdownClean: boolean }
  | { readonly type: 'register-response'; readonly incarnationId: string; readonly brokerEpoch: bigint }
  | { readonly type: 'heartbeat'; readonly brokerEpoch: bigint; readonly metadataOffset: bigint }
  | { readonly type: 'metadata'; readonly image: MetadataImage }
  | {
      readonly type: 'produce';
      readonly produceId: number;
      readonly values: readonly string[];
      /** Absent for the plain (non-idempotent) producer. */
      readonly producer?: SimProducerFields;
      /** The Produce version: 12 for a transaction version 2 producer (the leader adds the partition); else 8. */
      readonly version?: number;
    }
  | {
      readonly type: 'produce-response';
      readonly produceId: number;
      readonly outcome: ProduceOutcome;
      readonly baseOffset: bigint;
      readonly values: readonly string[];
      /** The log found the batch already stored: `baseOffset` is the original's. */
      readonly duplicate: boolean;
    }
  | {
      readonly type: 'txn-marker';
      readonly requestId: number;
      readonly producerId: bigint;
      readonly producerEpoch: number;
      readonly coordinatorEpoch: number;
      readonly marker: 'commit' | 'abort';
    }
  | { readonly type: 'txn-marker-response'; readonly requestId: number; readonly outcome: MarkerOutcome }
  | {
      readonly type: 'verify';
      readonly requestId: number;
      readonly producerId: bigint;
      readonly producerEpoch: number;
      /** Transaction version 2: add the partition to the producer's transaction, not only check it. */
      readonly add: boolean;
      /** The leader asks again for the same produce (the previous transaction's marker dropped its guard); counted only. */
      readonly again: boolean;
    }
  /** The coordinator's verdict for the partition as a Kafka error code (NONE: in the ongoing transaction). */
  | { readonly type: 'verify-response'; readonly requestId: number; readonly errorCode: number };
