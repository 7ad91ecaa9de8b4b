/**
 * InitProducerId (key 22, v0-5). Without a transactional id (idempotent
 * producers): a new producer id at epoch 0 — also when the producer names
 * its current id and epoch (v3+, KIP-360), as Kafka does for
 * non-transactional producers. Ids come from controller-allocated blocks
 * (producers/producer-id-manager.ts). With one: the id's transaction
 * coordinator decides (new id, epoch bump, fencing; NOT_COORDINATOR when
 * this broker does not lead the id's `__transaction_state` partition),
 * its PRODUCER_FENCED answered as INVALID_PRODUCER_EPOCH below v4.
 *
 * v5 only allows TRANSACTION_ABORTABLE (KIP-890), which this broker never
 * answers, so it means the same as v4.
 */
import { ErrorCode, type InitProducerIdRequest, type InitProducerIdResponse } from '@runnel/protocol';
import type { ProducerIdManager } from '../producers/producer-id-manager.ts';
import type { TransactionCoordinator } from '../transactions/transaction-coordinator.ts';
import { errorCodeForVersion } from '../transactions/txn-api.ts';
import type { Handler, RequestContext } from './handler.ts';

export function initProducerIdHandler(
  producerIds: ProducerIdManager,
  transactions: TransactionCoordinator | null = null,
): Handler<22> {
  function failure(errorCode: number): InitProducerIdResponse {
    return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 };
  }
  return {
    apiKey: 22,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: InitProducerIdRequest, context: RequestContext): Promise<InitProducerIdResponse> {
      if (request.transactionalId !== null) {
        if (transactions === null) return failure(ErrorCode.NOT_COORDINATOR);
        const producerId = request.producerId ?? -1n;
        const result = await transactions.initProducerId({
          transactionalId: request.transactionalId,
          transactionTimeoutMs: request.transactionTimeoutMs,
          current: producerId >= 0n ? { producerId, producerEpoch: request.producerEpoch ?? -1 } : null,
        });
        return {
          throttleTimeMs: 0,
          errorCode: errorCodeForVersion('initProducerId', context.header.apiVersion, result.errorCode),
          producerId: result.producerId,
          producerEpoch: result.producerEpoch,
        };
      }
      const id = await producerIds.next();
      // Retriable: the client asks again, by which time a block has usually arrived.
      if (!id.ok) return failure(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: id.value, producerEpoch: 0 };
    },
  };
}
