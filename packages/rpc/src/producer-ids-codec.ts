/**
 * AllocateProducerIds: a broker asks the active controller for a block of
 * producer ids (Kafka's AllocateProducerIds, KIP-730). The request and
 * answer types live here with their codec: this operation is declared in
 * one place on this side of the wire.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { ControllerAnswer } from './controller-answer.ts';
import type { ResponseDecodeError } from './controller-response-codec.ts';
import {
  errorFromProto,
  errorToProto,
  notControllerFromProto,
  notControllerToProto,
} from './controller-response-codec.ts';
import type {
  AllocateProducerIdsRequestProto,
  AllocateProducerIdsResponseProto,
} from './generated/controller-proto.ts';
import { int64FromWire, int64ToWire } from './wire-int64.ts';

export interface AllocateProducerIdsRequest {
  readonly brokerId: number;
  /** The broker's current registration epoch; an older one is refused. */
  readonly brokerEpoch: bigint;
}

/** Ids firstProducerId .. firstProducerId + size - 1, this broker's alone. */
export interface ProducerIdBlock {
  readonly firstProducerId: bigint;
  readonly size: number;
}

/** unknown_broker: not registered; stale_broker_epoch: a registration that has been replaced. */
export type AllocateProducerIdsError = 'unknown_broker' | 'stale_broker_epoch';

const allocateErrors: ReadonlySet<string> = new Set<AllocateProducerIdsError>(['unknown_broker', 'stale_broker_epoch']);

export function allocateProducerIdsRequestToProto(req: AllocateProducerIdsRequest): AllocateProducerIdsRequestProto {
  return { brokerId: req.brokerId, brokerEpoch: int64ToWire(req.brokerEpoch) };
}

export function allocateProducerIdsRequestFromProto(
  p: AllocateProducerIdsRequestProto,
): Result<AllocateProducerIdsRequest, 'malformed_request'> {
  return ok({ brokerId: p.brokerId, brokerEpoch: int64FromWire(p.brokerEpoch) });
}

export function allocateProducerIdsResponseToProto(
  answer: ControllerAnswer<Result<ProducerIdBlock, AllocateProducerIdsError>>,
): AllocateProducerIdsResponseProto {
  if (answer.status === 'not_controller')
    return { notController: notControllerToProto(answer.leader), committedOffset: '-1' };
  const committedOffset = int64ToWire(answer.committedOffset);
  const result = answer.value;
  if (!result.ok) return { error: errorToProto(result), committedOffset };
  return {
    block: { firstProducerId: int64ToWire(result.value.firstProducerId), size: result.value.size },
    committedOffset,
  };
}

export function allocateProducerIdsResponseFromProto(
  p: AllocateProducerIdsResponseProto,
): Result<ControllerAnswer<Result<ProducerIdBlock, AllocateProducerIdsError>>, ResponseDecodeError> {
  if (p.outcome === 'notController' && p.notController !== undefined) {
    return ok({ status: 'not_controller', leader: notControllerFromProto(p.notController) });
  }
  const committedOffset = int64FromWire(p.committedOffset);
  if (p.outcome === 'block' && p.block !== undefined) {
    const firstProducerId = int64FromWire(p.block.firstProducerId);
    if (firstProducerId < 0n || p.block.size <= 0) return err('malformed_response', 'an empty producer id block');
    return ok({ status: 'ok', value: ok({ firstProducerId, size: p.block.size }), committedOffset });
  }
  const failed =
    p.outcome === 'error' && p.error !== undefined
      ? errorFromProto<AllocateProducerIdsError>(p.error, allocateErrors)
      : null;
  return failed === null
    ? err('malformed_response', 'bad AllocateProducerIds outcome')
    : ok({ status: 'ok', value: failed, committedOffset });
}
