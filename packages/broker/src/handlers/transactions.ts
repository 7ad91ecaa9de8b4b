/**
 * The client-facing transaction APIs, bound to this broker's transaction
 * coordinator: AddPartitionsToTxn (key 24, v0-3), AddOffsetsToTxn (25,
 * v0-4) and EndTxn (26, v0-5). InitProducerId with a transactional id is
 * init-producer-id.ts's. Each maps the request onto the coordinator's
 * version-free input and its answer back with `errorCodeForVersion`
 * (PRODUCER_FENCED is INVALID_PRODUCER_EPOCH below v2).
 *
 * Versions: AddPartitionsToTxn v4+ is the brokers' batched form (KIP-890
 * part 1): several transactions per request, each an add or, with
 * verifyOnly, a check that its partitions are in the ongoing transaction.
 * Runnel's brokers ask each other over gRPC; a v4+ request (another tool,
 * a Kafka broker's client) is answered from the same coordinator, with
 * TRANSACTION_ABORTABLE as INVALID_TXN_STATE below v5, which added it.
 * AddOffsetsToTxn v4 and EndTxn v4 only allow TRANSACTION_ABORTABLE, which
 * this coordinator never answers, so they mean the same as v3; EndTxn v5
 * is transaction version 2 (an epoch bump per end, txn-end.ts).
 */
import {
  type AddOffsetsToTxnRequest,
  type AddOffsetsToTxnResponse,
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnResponse,
  type EndTxnRequest,
  type EndTxnResponse,
  ErrorCode,
} from '@runnel/protocol';
import type { TransactionCoordinator } from '../transactions/transaction-coordinator.ts';
import { errorCodeForVersion, type TopicPartition } from '../transactions/txn-api.ts';
import type { BrokerContext, Handler, RequestContext } from './handler.ts';
import { register } from './handler.ts';

type TransactionHandlerContext = Pick<BrokerContext, 'image'>;

/** The Handler objects for the transaction APIs, at the versions the ApiVersions table advertises. */
export function transactionHandlers(
  coordinator: TransactionCoordinator,
  context: TransactionHandlerContext,
): Handler[] {
  return [
    register(addPartitionsToTxnHandler(coordinator, context)),
    register(addOffsetsToTxnHandler(coordinator)),
    register(endTxnHandler(coordinator)),
  ];
}

export function addPartitionsToTxnHandler(
  coordinator: TransactionCoordinator,
  context: TransactionHandlerContext,
): Handler<24> {
  return {
    apiKey: 24,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: AddPartitionsToTxnRequest, ctx: RequestContext): Promise<AddPartitionsToTxnResponse> {
      const version = ctx.header.apiVersion;
      const image = context.image();
      const exists = (topic: string, partition: number): boolean =>
        image.topic(topic)?.partitions[partition] !== undefined;
      const answer = async (transaction: BatchedTransaction): Promise<TopicResult[]> => {
        const partitions: TopicPartition[] = transaction.topics.flatMap((t) =>
          t.partitions.map((p) => ({ topic: t.name, partition: p })),
        );
        const byTopic = (codeOf: (topic: string, partition: number) => number): TopicResult[] =>
          transaction.topics.map((t) => ({
            name: t.name,
            resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: codeOf(t.name, p) })),
          }));
        // As Kafka: one unknown partition fails the transaction's adds; the others were not attempted.
        if (partitions.some((tp) => !exists(tp.topic, tp.partition))) {
          return byTopic((topic, p) =>
            exists(topic, p) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          );
        }
        const identity = {
          transactionalId: transaction.transactionalId,
          producerId: transaction.producerId,
          producerEpoch: transaction.producerEpoch,
          partitions,
        };
        const forVersion = (code: number): number =>
          code === ErrorCode.TRANSACTION_ABORTABLE && version < 5
            ? ErrorCode.INVALID_TXN_STATE
            : errorCodeForVersion('addPartitionsToTxn', version, code);
        if (transaction.verifyOnly) {
          const verdicts = coordinator.verify(identity);
          const codes = new Map(verdicts.map((v) => [`${v.topic}\u0000${v.partition}`, v.errorCode]));
          return byTopic((topic, p) => forVersion(codes.get(`${topic}\u0000${p}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR));
        }
        const code = forVersion(await coordinator.addPartitions(identity));
        return byTopic(() => code);
      };
      if (version <= 3) {
        const resultsByTopicV3AndBelow = await answer({
          transactionalId: request.v3AndBelowTransactionalId ?? '',
          producerId: request.v3AndBelowProducerId ?? -1n,
          producerEpoch: request.v3AndBelowProducerEpoch ?? -1,
          verifyOnly: false,
          topics: request.v3AndBelowTopics ?? [],
        });
        return { throttleTimeMs: 0, resultsByTopicV3AndBelow };
      }
      const resultsByTransaction = await Promise.all(
        (request.transactions ?? []).map(async (t) => ({
          transactionalId: t.transactionalId,
          topicResults: await answer(t),
        })),
      );
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction };
    },
  };
}

interface BatchedTransaction {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly verifyOnly: boolean;
  readonly topics: readonly { readonly name: string; readonly partitions: readonly number[] }[];
}

type TopicResult = NonNullable<AddPartitionsToTxnResponse['resultsByTopicV3AndBelow']>[number];

export function addOffsetsToTxnHandler(coordinator: TransactionCoordinator): Handler<25> {
  return {
    apiKey: 25,
    minVersion: 0,
    maxVersion: 4,
    async handle(request: AddOffsetsToTxnRequest, ctx: RequestContext): Promise<AddOffsetsToTxnResponse> {
      const code = await coordinator.addOffsets({
        transactionalId: request.transactionalId,
        producerId: request.producerId,
        producerEpoch: request.producerEpoch,
        groupId: request.groupId,
      });
      return { throttleTimeMs: 0, errorCode: errorCodeForVersion('addOffsetsToTxn', ctx.header.apiVersion, code) };
    },
  };
}

/** EndTxn v5+ is transaction version 2: the answer names the producer id and epoch the client uses next. */
export function endTxnHandler(coordinator: TransactionCoordinator): Handler<26> {
  return {
    apiKey: 26,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: EndTxnRequest, ctx: RequestContext): Promise<EndTxnResponse> {
      const version = ctx.header.apiVersion;
      const result = await coordinator.endTxn({
        transactionalId: request.transactionalId,
        producerId: request.producerId,
        producerEpoch: request.producerEpoch,
        commit: request.committed,
        transactionVersion: version >= 5 ? 2 : 1,
      });
      const errorCode = errorCodeForVersion('endTxn', version, result.errorCode);
      if (version < 5) return { throttleTimeMs: 0, errorCode };
      return { throttleTimeMs: 0, errorCode, producerId: result.producerId, producerEpoch: result.producerEpoch };
    },
  };
}
