/**
 * InitProducerId (key 22, v0-4) for idempotent producers: a producer
 * without a transactional id gets a new producer id at epoch 0 — also when
 * it names its current id and epoch (v3+, KIP-360), as Kafka does for
 * non-transactional producers. Ids come from controller-allocated blocks
 * (producers/producer-id-manager.ts). A transactional id is the business
 * of its transaction coordinator, which this broker is not: NOT_COORDINATOR.
 */
import { ErrorCode, type InitProducerIdRequest, type InitProducerIdResponse } from '@runnel/protocol';
import type { ProducerIdManager } from '../producers/producer-id-manager.ts';
import type { Handler } from './handler.ts';

export function initProducerIdHandler(producerIds: ProducerIdManager): Handler<22> {
  function failure(errorCode: number): InitProducerIdResponse {
    return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 };
  }
  return {
    apiKey: 22,
    minVersion: 0,
    maxVersion: 4,
    async handle(request: InitProducerIdRequest): Promise<InitProducerIdResponse> {
      if (request.transactionalId !== null) return failure(ErrorCode.NOT_COORDINATOR);
      const id = await producerIds.next();
      // Retriable: the client asks again, by which time a block has usually arrived.
      if (!id.ok) return failure(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: id.value, producerEpoch: 0 };
    },
  };
}
