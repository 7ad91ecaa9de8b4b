/**
 * FindCoordinator (key 10, v0-2). A group's coordinator is the leader of
 * its `__consumer_offsets` partition (partitionForGroup); the topic is
 * created on the first lookup, as Kafka does. Until it exists and the
 * partition has a live leader the answer is COORDINATOR_NOT_AVAILABLE,
 * which clients retry. Transaction coordinators (key type 1) arrive with
 * transactions; they answer COORDINATOR_NOT_AVAILABLE meanwhile.
 *
 * v0 must stay in the range: librdkafka enables consumer groups (and LZ4)
 * only when it sees FindCoordinator v0 in the ApiVersions table. v3+ are
 * flexible and v4 batches keys; neither is in the recommended table.
 */
import { ErrorCode, type FindCoordinatorRequest, type FindCoordinatorResponse } from '@runnel/protocol';
import { ConsumerOffsetsTopic } from '../groups/consumer-offsets-topic.ts';
import { consumerOffsetsTopic, partitionForGroup } from '../groups/types.ts';
import type { BrokerContext, Handler } from './handler.ts';

const keyTypes = { group: 0, transaction: 1 } as const;

export function findCoordinatorHandler(
  broker: BrokerContext,
  topic: ConsumerOffsetsTopic = new ConsumerOffsetsTopic({
    controller: broker.controller,
    image: broker.image,
    settled: () => broker.partitions.settled(),
    logger: broker.logger,
  }),
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
      if (keyType === keyTypes.transaction) {
        return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'Transactions are not available yet');
      }
      if (keyType !== keyTypes.group) return failure(ErrorCode.INVALID_REQUEST, `Unknown key type ${keyType}`);
      if ((await topic.ensure()) !== 'exists') {
        return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${consumerOffsetsTopic} is being created`);
      }
      const image = broker.image();
      const index = partitionForGroup(request.key, topic.partitionCount());
      const leader = image.partition(consumerOffsetsTopic, index)?.leader ?? -1;
      const registration = leader < 0 ? undefined : image.broker(leader);
      const listener =
        registration?.listeners.find((l) => l.name === 'PLAINTEXT') ?? registration?.listeners[0] ?? undefined;
      if (registration === undefined || registration.fenced || listener === undefined) {
        return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${consumerOffsetsTopic}-${index} has no leader`);
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
