/**
 * The messages of the replication simulation, as data: the replica fetch
 * protocol (the fields Runnel's ReplicaFetch carries), AlterPartition,
 * broker registration and heartbeats, metadata pushes, and produce.
 */
import type { EpochEnd } from '@runnel/broker';
import type { AlterPartitionRequest, PartitionImage } from '@runnel/metadata';
import type { SimBatch } from './sim-log.ts';

/** The node ids that are not brokers. */
export const controllerNode = 0;
export const producerNode = 100;

export type FetchError = 'none' | 'not_leader' | 'fenced_leader_epoch' | 'unknown_leader_epoch' | 'offset_out_of_range';

export type ProduceOutcome =
  | 'done'
  | 'not_leader'
  | 'not_enough_replicas'
  | 'not_enough_replicas_after_append'
  | 'timed_out';

export type SimMessage =
  | {
      readonly type: 'fetch';
      readonly fetchId: number;
      readonly fetchOffset: bigint;
      readonly lastFetchedEpoch: number;
      readonly currentLeaderEpoch: number;
      /** The follower's broker epoch (ReplicaFetchRequest.brokerEpoch). */
      readonly brokerEpoch: bigint;
    }
  | {
      readonly type: 'fetch-response';
      readonly fetchId: number;
      readonly error: FetchError;
      readonly highWatermark: bigint;
      readonly logStartOffset: bigint;
      readonly logEndOffset: bigint;
      readonly diverging: EpochEnd | null;
      readonly batches: readonly SimBatch[];
    }
  | {
      readonly type: 'alter-partition';
      readonly requestId: number;
      readonly request: AlterPartitionRequest;
      /** The broker epoch each ISR member last fetched with (sent, but only checked under KIP-903 rules). */
      readonly brokerEpochs: ReadonlyMap<number, bigint>;
    }
  | {
      readonly type: 'alter-partition-response';
      readonly requestId: number;
      readonly answer: { readonly isr: readonly number[]; readonly partitionEpoch: number } | null;
    }
  | { readonly type: 'register'; readonly incarnationId: string; readonly previousShutdownClean: boolean }
  | { readonly type: 'register-response'; readonly incarnationId: string; readonly brokerEpoch: bigint }
  | { readonly type: 'heartbeat'; readonly brokerEpoch: bigint; readonly metadataOffset: bigint }
  | { readonly type: 'metadata'; readonly offset: bigint; readonly partition: PartitionImage; readonly minIsr: number }
  | { readonly type: 'produce'; readonly produceId: number; readonly values: readonly string[] }
  | {
      readonly type: 'produce-response';
      readonly produceId: number;
      readonly outcome: ProduceOutcome;
      readonly baseOffset: bigint;
      readonly values: readonly string[];
    };
