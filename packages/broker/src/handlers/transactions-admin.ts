/**
 * The operators' view of transactions: DescribeProducers (key 61, v0) per
 * partition led here, from the partition's producer-state table;
 * DescribeTransactions (65, v0) and ListTransactions (66, v0-2) over the
 * TransactionsView of the coordinators this broker hosts. Admin clients ask
 * each partition's leader (DescribeProducers), the transactional id's
 * coordinator (DescribeTransactions) or every broker (ListTransactions).
 */
import {
  type DescribeProducersRequest,
  type DescribeProducersResponse,
  type DescribeTransactionsRequest,
  type DescribeTransactionsResponse,
  ErrorCode,
  type ListTransactionsRequest,
  type ListTransactionsResponse,
} from '@runnel/protocol';
import type { TopicPartition, TransactionDescription } from '../transactions/txn-api.ts';
import { filterTransactions } from '../transactions/txn-list-filter.ts';
import type { TransactionsView } from '../transactions/txn-ports.ts';
import type { BrokerContext, Handler } from './handler.ts';

/** DescribeProducers' last sequence of a producer with no retained batch. */
const noSequence = -1;

type ProducersPartition = DescribeProducersResponse['topics'][number]['partitions'][number];

/** What DescribeProducers reads of the broker. */
export type ProducersSource = Pick<BrokerContext, 'config' | 'image' | 'partitions'>;

export function describeProducersHandler(broker: ProducersSource): Handler<61> {
  function describe(topic: string, index: number): ProducersPartition {
    const failure = (errorCode: number): ProducersPartition => ({
      partitionIndex: index,
      errorCode,
      errorMessage: null,
      activeProducers: [],
    });
    if (broker.image().topic(topic)?.partitions[index] === undefined)
      return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const partition = broker.partitions.get(topic, index);
    if (partition === undefined || partition.closed || partition.leader !== broker.config.nodeId)
      return failure(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const activeProducers = [...partition.log.producers()].map((p) => ({
      producerId: p.producerId,
      producerEpoch: p.epoch,
      lastSequence: p.batches.at(-1)?.lastSeq ?? noSequence,
      lastTimestamp: p.lastTimestampMs,
      coordinatorEpoch: p.coordinatorEpoch,
      currentTxnStartOffset: p.currentTxnFirstOffset ?? -1n,
    }));
    return { ...failure(ErrorCode.NONE), activeProducers };
  }
  return {
    apiKey: 61,
    minVersion: 0,
    maxVersion: 0,
    async handle(request: DescribeProducersRequest): Promise<DescribeProducersResponse> {
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((i) => describe(t.name, i)),
        })),
      };
    },
  };
}

export function describeTransactionsHandler(view: TransactionsView): Handler<65> {
  return {
    apiKey: 65,
    minVersion: 0,
    maxVersion: 0,
    async handle(request: DescribeTransactionsRequest): Promise<DescribeTransactionsResponse> {
      return {
        throttleTimeMs: 0,
        transactionStates: request.transactionalIds.map((transactionalId) => {
          const { errorCode, transaction } = view.describe(transactionalId);
          if (errorCode !== ErrorCode.NONE || transaction === null) {
            return {
              errorCode: errorCode === ErrorCode.NONE ? ErrorCode.TRANSACTIONAL_ID_NOT_FOUND : errorCode,
              transactionalId,
              transactionState: '',
              transactionTimeoutMs: 0,
              transactionStartTimeMs: -1n,
              producerId: -1n,
              producerEpoch: -1,
              topics: [],
            };
          }
          return describedState(transaction);
        }),
      };
    },
  };
}

function describedState(t: TransactionDescription): DescribeTransactionsResponse['transactionStates'][number] {
  return {
    errorCode: ErrorCode.NONE,
    transactionalId: t.transactionalId,
    transactionState: t.state,
    transactionTimeoutMs: t.transactionTimeoutMs,
    transactionStartTimeMs: BigInt(t.startTimestampMs),
    producerId: t.producerId,
    producerEpoch: t.producerEpoch,
    topics: byTopic(t.partitions),
  };
}

function byTopic(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const topics = new Map<string, number[]>();
  for (const p of partitions) {
    const list = topics.get(p.topic);
    if (list === undefined) topics.set(p.topic, [p.partition]);
    else list.push(p.partition);
  }
  return [...topics].map(([topic, list]) => ({ topic, partitions: list.sort((a, b) => a - b) }));
}

export function listTransactionsHandler(view: TransactionsView, nowMs: () => number): Handler<66> {
  return {
    apiKey: 66,
    minVersion: 0,
    maxVersion: 2,
    async handle(request: ListTransactionsRequest): Promise<ListTransactionsResponse> {
      const listed = view.list();
      const filtered = filterTransactions(
        listed.transactions,
        {
          states: request.stateFilters,
          producerIds: request.producerIdFilters,
          durationMs: request.durationFilter ?? -1n,
          transactionalIdPattern: request.transactionalIdPattern ?? null,
        },
        nowMs(),
      );
      const errorCode = listed.errorCode !== ErrorCode.NONE ? listed.errorCode : filtered.errorCode;
      return {
        throttleTimeMs: 0,
        errorCode,
        unknownStateFilters: [...filtered.unknownStateFilters],
        transactionStates:
          errorCode === ErrorCode.NONE
            ? filtered.transactions.map((t) => ({
                transactionalId: t.transactionalId,
                producerId: t.producerId,
                transactionState: t.state,
              }))
            : [],
      };
    },
  };
}

/**
 * The view a broker has before the transaction coordinator's runtime is
 * wired in: it coordinates no transactional id.
 */
export const noTransactionsView: TransactionsView = {
  describe: () => ({ errorCode: ErrorCode.NOT_COORDINATOR, transaction: null }),
  list: () => ({ errorCode: ErrorCode.NONE, transactions: [] }),
};
