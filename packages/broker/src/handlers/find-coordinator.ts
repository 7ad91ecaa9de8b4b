/**
 * FindCoordinator (key 10, v0-6). A group's coordinator is the leader of
 * its `__consumer_offsets` partition (partitionForGroup); a transactional
 * id's (key type 1) the leader of its `__transaction_state` partition
 * (partitionForTransactionalId, the same hash). Each topic is created on
 * its first lookup, as Kafka does. Until it exists and the partition has a
 * live leader the answer is COORDINATOR_NOT_AVAILABLE, which clients retry.
 *
 * v0 must stay in the range: librdkafka enables consumer groups (and LZ4)
 * only when it sees FindCoordinator v0 in the ApiVersions table. v3+ are
 * flexible; v4+ (KIP-699) look up a batch of keys of one type and answer
 * each key on its own (its coordinator, or its error and message), so one
 * key whose topic is still being created does not fail the others. v5 may
 * answer TRANSACTION_ABORTABLE (never needed here) and v6 adds share-group
 * keys (type 2), which Runnel has no coordinator for: they are refused per
 * key with INVALID_REQUEST.
 */
import { ErrorCode, type FindCoordinatorRequest, type FindCoordinatorResponse } from '@runnel/protocol';
import { ConsumerOffsetsTopic } from '../groups/consumer-offsets-topic.ts';
import { partitionForGroup } from '../groups/types.ts';
import type { InternalTopic } from '../internal-topic.ts';
import { TransactionStateTopic } from '../transactions/transaction-state-topic.ts';
import type { BrokerContext, Handler, RequestContext } from './handler.ts';

const keyTypes = { group: 0, transaction: 1, share: 2 } as const;

/** The first version whose request carries a batch of keys. */
const batchedVersion = 4;

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

/** One key's answer: its coordinator, or the error (node -1) and why. */
interface KeyCoordinator {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export function findCoordinatorHandler(
  broker: BrokerContext,
  topics: CoordinatorTopics = coordinatorTopics(broker),
): Handler<10> {
  function failure(errorCode: number, errorMessage: string): KeyCoordinator {
    return { errorCode, errorMessage, nodeId: -1, host: '', port: -1 };
  }

  async function lookup(keyType: number, key: string): Promise<KeyCoordinator> {
    if (keyType === keyTypes.share) return failure(ErrorCode.INVALID_REQUEST, 'Share groups are not supported');
    if (keyType !== keyTypes.group && keyType !== keyTypes.transaction) {
      return failure(ErrorCode.INVALID_REQUEST, `Unknown key type ${keyType}`);
    }
    // Kafka's answer for an empty transactional id (a group id may be empty).
    if (keyType === keyTypes.transaction && key === '') {
      return failure(ErrorCode.INVALID_REQUEST, 'The transactional id is empty');
    }
    const topic = keyType === keyTypes.group ? topics.group : topics.transaction;
    const name = topic.spec.name;
    if ((await topic.ensure()) !== 'exists') {
      return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${name} is being created`);
    }
    const image = broker.image();
    // Both topics hash keys alike (partitionForTransactionalId is partitionForGroup).
    const index = partitionForGroup(key, topic.partitionCount());
    const leader = image.partition(name, index)?.leader ?? -1;
    const registration = leader < 0 ? undefined : image.broker(leader);
    const listener =
      registration?.listeners.find((l) => l.name === 'PLAINTEXT') ?? registration?.listeners[0] ?? undefined;
    if (registration === undefined || registration.fenced || listener === undefined) {
      return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${name}-${index} has no leader`);
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, nodeId: leader, host: listener.host, port: listener.port };
  }

  return {
    apiKey: 10,
    minVersion: 0,
    maxVersion: 6,
    async handle(request: FindCoordinatorRequest, context: RequestContext): Promise<FindCoordinatorResponse> {
      const keyType = request.keyType ?? keyTypes.group;
      if (context.header.apiVersion < batchedVersion) {
        return { throttleTimeMs: 0, ...(await lookup(keyType, request.key ?? '')) };
      }
      const keys = request.coordinatorKeys ?? [];
      const coordinators = await Promise.all(keys.map(async (key) => ({ key, ...(await lookup(keyType, key)) })));
      return { throttleTimeMs: 0, coordinators };
    },
  };
}
