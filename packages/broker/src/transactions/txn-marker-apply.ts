/**
 * The partition leaders' side of transaction markers, shared by the Kafka
 * API WriteTxnMarkers and the brokers' gRPC TxnMarkers service: each marker
 * (a producer's commit or abort, with the coordinator epoch) is written on
 * every listed partition this broker leads, acks=all, and each partition is
 * answered with a Kafka error code as data.
 *
 * Markers of one request are written one after another (a later marker
 * for the same partition must land after an earlier one), the partitions
 * of one marker at once. Once a marker on a `__consumer_offsets` partition
 * is committed, `onConsumerOffsetsMarker` tells the group coordinator, which
 * makes the producer's pending transactional offsets visible or drops them.
 */
import type { Logger } from '@runnel/common';
import { AssertionError } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import { consumerOffsetsTopic } from '../groups/types.ts';
import type { AckOutcome } from '../replication/ack-waiters.ts';
import type { Partition } from '../replication/partition.ts';
import type { TxnMarkerError } from '../replication/partition-api.ts';
import type { TopicPartition, TransactionResult } from './txn-api.ts';

/** One marker to write: Kafka's WriteTxnMarkers entry, version-free. */
export interface TxnMarkerEntry {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  readonly result: TransactionResult;
  readonly partitions: readonly TopicPartition[];
}

export interface TxnMarkerPartitionAnswer extends TopicPartition {
  readonly errorCode: number;
}

/** The answer to one entry: every partition it listed, in its order. */
export interface TxnMarkerAnswer {
  readonly producerId: bigint;
  readonly partitions: readonly TxnMarkerPartitionAnswer[];
}

/** Told after a marker is committed on a `__consumer_offsets` partition this broker leads. */
/** `markerOffset`: where the marker sits, so only the producer's offset commits written before it end with it. */
export type ConsumerOffsetsMarkerHook = (
  partitionIndex: number,
  producerId: bigint,
  result: TransactionResult,
  markerOffset: bigint,
) => void;

/** What the core needs of the broker; Broker builds it from its image and partitions. */
export interface TxnMarkerHost {
  /** Whether metadata knows the partition at all (else UNKNOWN_TOPIC_OR_PARTITION). */
  exists(topic: string, partition: number): boolean;
  /** The replica this broker hosts, if any. */
  partition(topic: string, partition: number): Partition | undefined;
  /** The topic's min.insync.replicas. */
  minInsyncReplicas(topic: string): number;
  /** How long a marker waits for its ISR (Kafka: request.timeout.ms). */
  readonly timeoutMs: number;
  readonly onConsumerOffsetsMarker?: ConsumerOffsetsMarkerHook;
  readonly logger: Logger;
}

/** Partition's closed unions for markers -> Kafka codes, in one place. */
const markerErrorCodes: Record<TxnMarkerError | Exclude<AckOutcome, 'done'> | 'storage_error', number> = {
  not_leader: ErrorCode.NOT_LEADER_OR_FOLLOWER,
  coordinator_fenced: ErrorCode.TRANSACTION_COORDINATOR_FENCED,
  not_enough_replicas: ErrorCode.NOT_ENOUGH_REPLICAS,
  not_enough_replicas_after_append: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  timed_out: ErrorCode.REQUEST_TIMED_OUT,
  storage_error: ErrorCode.KAFKA_STORAGE_ERROR,
};

/** How long a marker waits for its ISR: Kafka's request.timeout.ms default, which its markers use. */
export const txnMarkerTimeoutMsDefault = 30_000;

/** Writes every entry's markers; never rejects except for a bug (an AssertionError). */
export async function applyTxnMarkers(
  host: TxnMarkerHost,
  entries: readonly TxnMarkerEntry[],
): Promise<TxnMarkerAnswer[]> {
  const answers: TxnMarkerAnswer[] = [];
  for (const entry of entries) {
    const partitions = await Promise.all(
      entry.partitions.map(async (tp) => ({ ...tp, errorCode: await applyOne(host, entry, tp) })),
    );
    answers.push({ producerId: entry.producerId, partitions });
  }
  return answers;
}

async function applyOne(host: TxnMarkerHost, entry: TxnMarkerEntry, tp: TopicPartition): Promise<number> {
  if (!host.exists(tp.topic, tp.partition)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  const partition = host.partition(tp.topic, tp.partition);
  if (partition === undefined || partition.closed || partition.role !== 'leader') {
    return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  }
  let outcome: TxnMarkerError | AckOutcome | 'storage_error';
  let markerOffset = -1n;
  try {
    const written = await partition.writeTxnMarker(
      entry.producerId,
      entry.producerEpoch,
      entry.coordinatorEpoch,
      entry.result,
      { minInsyncReplicas: host.minInsyncReplicas(tp.topic), timeoutMs: host.timeoutMs },
    );
    if (written.ok) markerOffset = written.value.offset;
    outcome = written.ok ? await written.value.replicated : written.error;
  } catch (error: unknown) {
    // A failed disk is the partition's trouble, answered as Kafka does; a broken invariant stays a crash.
    if (error instanceof AssertionError) throw error;
    host.logger.error(
      { topic: tp.topic, partition: tp.partition, producerId: String(entry.producerId), err: String(error) },
      'transaction marker append failed',
    );
    outcome = 'storage_error';
  }
  if (outcome !== 'done') return markerErrorCodes[outcome];
  if (tp.topic === consumerOffsetsTopic) {
    host.onConsumerOffsetsMarker?.(tp.partition, entry.producerId, entry.result, markerOffset);
  }
  return ErrorCode.NONE;
}
