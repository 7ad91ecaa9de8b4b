/**
 * TransactionsAdmin: the transaction admin calls over a KafkaClient's pooled
 * connections, for `runnel transactions` and tests:
 * - DescribeProducers to each partition's leader (producer state);
 * - ListTransactions to every broker, merged (each lists the transactional
 *   ids it coordinates);
 * - DescribeTransactions to each id's coordinator (FindCoordinator key type 1);
 * - WriteTxnMarkers to a partition's leader (ending a hanging transaction).
 */
import { ApiKeys, ErrorCode } from '@runnel/protocol';
import type { Connection } from './connection.ts';
import { backoff, CoordinatorKeyType, onCoordinator } from './coordinator-lookup.ts';
import { ConnectionError, KafkaError } from './errors.ts';
import type { KafkaClient } from './kafka-client.ts';

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

/** One producer a partition keeps state for (DescribeProducers). */
export interface ProducerState {
  producerId: bigint;
  producerEpoch: number;
  /** -1 when no batch is retained. */
  lastSequence: number;
  /** Timestamp of the producer's last batch or marker, -1n when unknown. */
  lastTimestampMs: bigint;
  /** Epoch of the coordinator that last wrote a marker for it, -1 when none. */
  coordinatorEpoch: number;
  /** First offset of its open transaction, null when none is open. */
  currentTxnStartOffset: bigint | null;
}

export interface PartitionProducers extends TopicPartitionRef {
  /** Kafka error code for the partition, as data (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION...). */
  errorCode: number;
  leader: number;
  producers: ProducerState[];
}

export interface TransactionListing {
  transactionalId: string;
  producerId: bigint;
  state: string;
  /** The broker that coordinates the id. */
  coordinator: number;
}

export interface TransactionListFilters {
  states?: readonly string[];
  producerIds?: readonly bigint[];
  /** Only transactions open longer than this (ListTransactions v1+). */
  durationMs?: number;
  /** Only ids this regular expression matches as a whole (ListTransactions v2+). */
  transactionalIdPattern?: string;
}

export interface TransactionsListing {
  transactions: TransactionListing[];
  /** State filters the brokers did not know. */
  unknownStateFilters: string[];
  failures: { nodeId: number; message: string }[];
}

export interface TransactionDetails {
  /** Kafka error code for the id, as data (TRANSACTIONAL_ID_NOT_FOUND...). */
  errorCode: number;
  transactionalId: string;
  coordinator: number;
  state: string;
  producerId: bigint;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** -1n when no transaction is open. */
  startTimeMs: bigint;
  partitions: TopicPartitionRef[];
}

export interface TxnMarker extends TopicPartitionRef {
  producerId: bigint;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
}

/** Leader moves: asked again after fresh metadata. */
const leaderMovedCodes: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
]);
const leaderAttemptsMax = 5;

/**
 * Owned by its creator; holds no connections of its own (the KafkaClient
 * does). Per-partition and per-id Kafka codes come back as data; a call
 * that cannot answer at all throws KafkaError, transport failures
 * ConnectionError.
 */
export class TransactionsAdmin {
  readonly #client: KafkaClient;
  readonly #coordinatorWaitMs: number;

  constructor(client: KafkaClient, options: { coordinatorWaitMs?: number } = {}) {
    this.#client = client;
    this.#coordinatorWaitMs = options.coordinatorWaitMs ?? 15_000;
  }

  /** The producers of each partition, asked of its leader; retried while leaders move. */
  async describeProducers(partitions: readonly TopicPartitionRef[]): Promise<PartitionProducers[]> {
    const answers = new Map<string, PartitionProducers>();
    let pending = [...partitions];
    for (let attempt = 0; pending.length > 0; attempt++) {
      const byLeader = await this.#byLeader(pending, answers);
      await Promise.all(
        [...byLeader].map(([leader, list]) => this.#describeOn(leader.connection, leader.nodeId, list, answers)),
      );
      const last = attempt + 1 >= leaderAttemptsMax;
      pending = pending.filter((p) => !last && leaderMovedCodes.has(answers.get(key(p))?.errorCode ?? ErrorCode.NONE));
      if (pending.length > 0) await backoff(attempt);
    }
    return partitions.map((p) => {
      const answer = answers.get(key(p));
      if (answer === undefined) throw new ConnectionError('malformed_response', `no answer for ${key(p)}`);
      return answer;
    });
  }

  /** Every broker's transactional ids (each lists those it coordinates), filtered by each broker. */
  async listTransactions(filters: TransactionListFilters = {}): Promise<TransactionsListing> {
    const metadata = await this.#client.metadata([]);
    const answers = await Promise.all(
      metadata.brokers.map(async (broker): Promise<TransactionsListing> => {
        try {
          const connection = await this.#client.connectionTo(broker);
          const response = await connection.request(ApiKeys.ListTransactions, {
            stateFilters: [...(filters.states ?? [])],
            producerIdFilters: [...(filters.producerIds ?? [])],
            durationFilter: BigInt(filters.durationMs ?? -1),
            transactionalIdPattern: filters.transactionalIdPattern ?? null,
          });
          if (response.errorCode !== ErrorCode.NONE)
            throw new KafkaError(response.errorCode, `broker ${broker.nodeId}`);
          return {
            transactions: response.transactionStates.map((t) => ({
              transactionalId: t.transactionalId,
              producerId: t.producerId,
              state: t.transactionState,
              coordinator: broker.nodeId,
            })),
            unknownStateFilters: response.unknownStateFilters,
            failures: [],
          };
        } catch (error) {
          if (!(error instanceof KafkaError || error instanceof ConnectionError)) throw error;
          return {
            transactions: [],
            unknownStateFilters: [],
            failures: [{ nodeId: broker.nodeId, message: error.message }],
          };
        }
      }),
    );
    return {
      transactions: answers
        .flatMap((a) => a.transactions)
        .sort((a, b) => a.transactionalId.localeCompare(b.transactionalId)),
      unknownStateFilters: [...new Set(answers.flatMap((a) => a.unknownStateFilters))],
      failures: answers.flatMap((a) => a.failures),
    };
  }

  /** One transactional id, asked of its coordinator. */
  async describeTransaction(transactionalId: string): Promise<TransactionDetails> {
    const target = { key: transactionalId, keyType: CoordinatorKeyType.transaction, waitMs: this.#coordinatorWaitMs };
    return onCoordinator(this.#client, target, async (connection, coordinator): Promise<TransactionDetails> => {
      const response = await connection.request(ApiKeys.DescribeTransactions, { transactionalIds: [transactionalId] });
      const t = response.transactionStates.find((x) => x.transactionalId === transactionalId);
      if (t === undefined) {
        throw new ConnectionError('malformed_response', `DescribeTransactions lacks ${transactionalId}`);
      }
      return {
        errorCode: t.errorCode,
        transactionalId,
        coordinator,
        state: t.transactionState,
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        transactionTimeoutMs: t.transactionTimeoutMs,
        startTimeMs: t.transactionStartTimeMs,
        partitions: t.topics.flatMap((x) => x.partitions.map((partition) => ({ topic: x.topic, partition }))),
      };
    });
  }

  /** One marker on one partition, written by its leader; the partition's code is the answer. */
  async writeTxnMarker(marker: TxnMarker): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const byLeader = await this.#byLeader([marker], new Map());
      const leader = [...byLeader.keys()][0];
      let errorCode: number = ErrorCode.LEADER_NOT_AVAILABLE;
      if (leader !== undefined) {
        const response = await leader.connection.request(ApiKeys.WriteTxnMarkers, {
          markers: [
            {
              producerId: marker.producerId,
              producerEpoch: marker.producerEpoch,
              transactionResult: marker.commit,
              coordinatorEpoch: marker.coordinatorEpoch,
              topics: [{ name: marker.topic, partitionIndexes: [marker.partition] }],
            },
          ],
        });
        const answer = response.markers[0]?.topics[0]?.partitions[0];
        if (answer === undefined)
          throw new ConnectionError('malformed_response', 'WriteTxnMarkers lacks the partition');
        errorCode = answer.errorCode;
      }
      if (!leaderMovedCodes.has(errorCode) || attempt + 1 >= leaderAttemptsMax) return errorCode;
      await backoff(attempt);
    }
  }

  /**
   * Groups partitions by their current leader (fresh metadata); partitions
   * with no leader or no topic get their code in `answers` instead.
   */
  async #byLeader(
    partitions: readonly TopicPartitionRef[],
    answers: Map<string, PartitionProducers>,
  ): Promise<Map<{ nodeId: number; connection: Connection }, TopicPartitionRef[]>> {
    const metadata = await this.#client.metadata([...new Set(partitions.map((p) => p.topic))]);
    const leaders = new Map<number, { nodeId: number; connection: Connection }>();
    const grouped = new Map<{ nodeId: number; connection: Connection }, TopicPartitionRef[]>();
    for (const p of partitions) {
      const topic = metadata.topics.find((t) => t.name === p.topic);
      const info = topic?.partitions.find((x) => x.partition === p.partition);
      const broker = metadata.brokers.find((b) => b.nodeId === info?.leader);
      if (topic === undefined || info === undefined || broker === undefined) {
        const errorCode =
          topic !== undefined && topic.errorCode !== ErrorCode.NONE
            ? topic.errorCode
            : info === undefined
              ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
              : ErrorCode.LEADER_NOT_AVAILABLE;
        answers.set(key(p), { ...p, errorCode, leader: info?.leader ?? -1, producers: [] });
        continue;
      }
      let leader = leaders.get(broker.nodeId);
      if (leader === undefined) {
        leader = { nodeId: broker.nodeId, connection: await this.#client.connectionTo(broker) };
        leaders.set(broker.nodeId, leader);
      }
      grouped.set(leader, [...(grouped.get(leader) ?? []), p]);
    }
    return grouped;
  }

  async #describeOn(
    connection: Connection,
    leader: number,
    partitions: readonly TopicPartitionRef[],
    answers: Map<string, PartitionProducers>,
  ): Promise<void> {
    const topics = new Map<string, number[]>();
    for (const p of partitions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p.partition]);
    const response = await connection.request(ApiKeys.DescribeProducers, {
      topics: [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
    });
    for (const t of response.topics) {
      for (const p of t.partitions) {
        answers.set(key({ topic: t.name, partition: p.partitionIndex }), {
          topic: t.name,
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          leader,
          producers: p.activeProducers.map((a) => ({
            producerId: a.producerId,
            producerEpoch: a.producerEpoch,
            lastSequence: a.lastSequence,
            lastTimestampMs: a.lastTimestamp,
            coordinatorEpoch: a.coordinatorEpoch,
            currentTxnStartOffset: a.currentTxnStartOffset < 0n ? null : a.currentTxnStartOffset,
          })),
        });
      }
    }
  }
}

function key(p: TopicPartitionRef): string {
  return `${p.topic}-${p.partition}`;
}
