/**
 * The messages of the replication simulation, as data: the replica fetch
 * stream (Runnel's ReplicaFetchRequest/Response as the broker code builds
 * and reads them), AlterPartition, broker registration and heartbeats,
 * committed metadata (the controller's whole image: it is immutable), and
 * produce.
 */
import type { Result } from '@runnel/common';
import type { AlterPartitionError, AlterPartitionReply, AlterPartitionRequest, MetadataImage } from '@runnel/metadata';
import type { ReplicaFetchRequest, ReplicaFetchResponse } from '@runnel/rpc';

/** The node ids that are not brokers. */
export const controllerNode = 0;
export const producerNode = 100;

export type ProduceOutcome =
  | 'done'
  | 'not_leader'
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
  | { readonly type: 'produce'; readonly produceId: number; readonly values: readonly string[] }
  | {
      readonly type: 'produce-response';
      readonly produceId: number;
      readonly outcome: ProduceOutcome;
      readonly baseOffset: bigint;
      readonly values: readonly string[];
    };
