/**
 * FindCoordinator (key 10, v0-2). A group's coordinator is the leader of
 * its `__consumer_offsets` partition (partitionForGroup); a transactional
 * id's (key type 1) the leader of its `__transaction_state` partition
 * (partitionForTransactionalId, the same hash). Each topic is created on
 * its first lookup, as Kafka does. Until it exists and the partition has a
 * live leader the answer is COORDINATOR_NOT_AVAILABLE, which clients retry.
 *
 * v0 must stay in the range: librdkafka enables consumer groups (and LZ4)
 * only when it sees FindCoordinator v0 in the ApiVersions table. v3+ are
 * flexible and v4 batches keys; neither is in the recommended table.
 */
import { ErrorCode, type FindCoordinatorRequest, type FindCoordinatorResponse } from '@runnel/protocol';
import { ConsumerOffsetsTopic } from '../groups/consumer-offsets-topic.ts';
import { partitionForGroup } from '../groups/types.ts';
import type { InternalTopic } from '../internal-topic.ts';
import { TransactionStateTopic } from '../transactions/transaction-state-topic.ts';
import type { BrokerContext, Handler } from './handler.ts';

const keyTypes = { group: 0, transaction: 1 } as const;

/** The topic whose partition leaders coordinate each key type. */
export interface CoordinatorTopics {
  readonly group: InternalTopic;
  readonly transaction: InternalTopic;
}

export function coordinatorTopics(broker: BrokerContext): CoordinatorTopics {
  const options = {
    controller: broker.controller,
    image: broker.image,
    settled: () => broker.partitions.settled(),
    logger: broker.logger,
  };
  const c = broker.config;
  return {
    group: new ConsumerOffsetsTopic(options),
    transaction: new TransactionStateTopic(options, {
      partitions: c.transactionStateLogPartitions,
      replicationFactor: c.transactionStateLogReplicationFactor,
      minIsr: c.transactionStateLogMinIsr,
      segmentBytes: c.transactionStateLogSegmentBytes,
    }),
  };
}

export function findCoordinatorHandler(
  broker: BrokerContext,
  topics: CoordinatorTopics = coordinatorTopics(broker),
): Handler<10> {
  function failure(errorCode: number, errorMessage: string): FindCoordinatorResponse {
    return { throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 };
  }

  return {
    apiKey: 10,
    minVersion: 0,
    maxVersion: 2,
    async handle(request: FindCoordinatorRequest): Promise<FindCoordinatorResponse> {
      const keyType = request.keyType ?? keyTypes.group;
      if (keyType !== keyTypes.group && keyType !== keyTypes.transaction) {
        return failure(ErrorCode.INVALID_REQUEST, `Unknown key type ${keyType}`);
      }
      // Kafka's answer for an empty transactional id (a group id may be empty).
      if (keyType === keyTypes.transaction && request.key === '') {
        return failure(ErrorCode.INVALID_REQUEST, 'The transactional id is empty');
      }
      const topic = keyType === keyTypes.group ? topics.group : topics.transaction;
      const name = topic.spec.name;
      if ((await topic.ensure()) !== 'exists') {
        return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${name} is being created`);
      }
      const image = broker.image();
      // Both topics hash keys alike (partitionForTransactionalId is partitionForGroup).
      const index = partitionForGroup(request.key, topic.partitionCount());
      const leader = image.partition(name, index)?.leader ?? -1;
      const registration = leader < 0 ? undefined : image.broker(leader);
      const listener =
        registration?.listeners.find((l) => l.name === 'PLAINTEXT') ?? registration?.listeners[0] ?? undefined;
      if (registration === undefined || registration.fenced || listener === undefined) {
        return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${name}-${index} has no leader`);
      }
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        nodeId: leader,
        host: listener.host,
        port: listener.port,
      };
    },
  };
}
