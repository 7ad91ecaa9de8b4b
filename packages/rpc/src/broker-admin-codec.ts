/**
 * DescribeBrokers and DecommissionBroker between the metadata types and the
 * proto shapes, both directions. A state or error name outside its closed
 * union decodes as a malformed response.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { BrokerLifecycle, BrokerStatus, DecommissionError } from '@runnel/metadata';
import type { ControllerAnswer } from './controller-answer.ts';
import { listenerFromProto, listenerToProto } from './controller-request-codec.ts';
import type { AnswerFrame, ResponseDecodeError } from './controller-response-codec.ts';
import {
  errorFromProto,
  errorToProto,
  listAnswerFromProto,
  listAnswerToProto,
  notControllerFromProto,
  notControllerToProto,
} from './controller-response-codec.ts';
import type { BrokerStatusProto, DecommissionBrokerResponseProto } from './generated/controller-proto.ts';
import { int64FromWire, int64ToWire } from './wire-int64.ts';

const lifecycles: ReadonlySet<string> = new Set<BrokerLifecycle>(['active', 'decommissioning', 'removable']);
const decommissionErrors: ReadonlySet<string> = new Set<DecommissionError>([
  'unknown_broker',
  'insufficient_brokers',
  'not_decommissioning',
]);

export function brokerStatusToProto(s: BrokerStatus): BrokerStatusProto {
  const status = {
    brokerId: s.brokerId,
    listeners: s.listeners.map(listenerToProto),
    fenced: s.fenced,
    state: s.state,
    replicas: s.replicas,
    leaders: s.leaders,
    moving: s.moving,
    pinned: s.pinned,
  };
  return s.rack === null ? status : { ...status, rack: s.rack };
}

export function brokerStatusFromProto(p: BrokerStatusProto): BrokerStatus | null {
  if (!lifecycles.has(p.state)) return null;
  return {
    brokerId: p.brokerId,
    listeners: p.listeners.map(listenerFromProto),
    rack: p.rack ?? null,
    fenced: p.fenced,
    state: p.state as BrokerLifecycle,
    replicas: p.replicas,
    leaders: p.leaders,
    moving: p.moving,
    pinned: p.pinned,
  };
}

export function describeBrokersResponseToProto(
  answer: ControllerAnswer<readonly BrokerStatus[]>,
): AnswerFrame<BrokerStatusProto> {
  return listAnswerToProto(answer, brokerStatusToProto);
}

export function describeBrokersResponseFromProto(
  p: AnswerFrame<BrokerStatusProto>,
): Result<ControllerAnswer<BrokerStatus[]>, ResponseDecodeError> {
  return listAnswerFromProto(p, brokerStatusFromProto);
}

export function decommissionResponseToProto(
  answer: ControllerAnswer<Result<BrokerStatus, DecommissionError>>,
): DecommissionBrokerResponseProto {
  if (answer.status === 'not_controller') {
    return { notController: notControllerToProto(answer.leader), committedOffset: '-1' };
  }
  const committedOffset = int64ToWire(answer.committedOffset);
  const result = answer.value;
  return result.ok
    ? { status: brokerStatusToProto(result.value), committedOffset }
    : { error: errorToProto(result), committedOffset };
}

export function decommissionResponseFromProto(
  p: DecommissionBrokerResponseProto,
): Result<ControllerAnswer<Result<BrokerStatus, DecommissionError>>, ResponseDecodeError> {
  if (p.outcome === 'notController' && p.notController !== undefined) {
    return ok({ status: 'not_controller', leader: notControllerFromProto(p.notController) });
  }
  const committedOffset = int64FromWire(p.committedOffset);
  if (p.outcome === 'status' && p.status !== undefined) {
    const status = brokerStatusFromProto(p.status);
    if (status === null) return err('malformed_response', `unknown broker state "${p.status.state}"`);
    return ok({ status: 'ok', value: ok(status), committedOffset });
  }
  const failed =
    p.outcome === 'error' && p.error !== undefined
      ? errorFromProto<DecommissionError>(p.error, decommissionErrors)
      : null;
  return failed === null
    ? err('malformed_response', 'bad DecommissionBroker outcome')
    : ok({ status: 'ok', value: failed, committedOffset });
}
