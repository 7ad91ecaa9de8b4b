/**
 * DescribeQuorum between QuorumDescription (@runnel/metadata) and the
 * proto shapes of proto/controller.proto. int64 fields travel as decimal
 * strings (wire-int64.ts).
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { QuorumDescription, QuorumReplica } from '@runnel/metadata';
import type { ControllerAnswer } from './controller-answer.ts';
import { listenerFromProto, listenerToProto } from './controller-request-codec.ts';
import { notControllerFromProto, notControllerToProto, type ResponseDecodeError } from './controller-response-codec.ts';
import type { DescribeQuorumResponseProto, QuorumReplicaProto } from './generated/controller-proto.ts';
import { int64FromWire, int64ToWire } from './wire-int64.ts';

function replicaToProto(r: QuorumReplica): QuorumReplicaProto {
  return {
    replicaId: r.replicaId,
    logEndOffset: int64ToWire(r.logEndOffset),
    lastFetchTimestamp: int64ToWire(r.lastFetchTimestamp),
    lastCaughtUpTimestamp: int64ToWire(r.lastCaughtUpTimestamp),
  };
}

function replicaFromProto(p: QuorumReplicaProto): QuorumReplica {
  return {
    replicaId: p.replicaId,
    logEndOffset: int64FromWire(p.logEndOffset),
    lastFetchTimestamp: int64FromWire(p.lastFetchTimestamp),
    lastCaughtUpTimestamp: int64FromWire(p.lastCaughtUpTimestamp),
  };
}

export function describeQuorumResponseToProto(
  answer: ControllerAnswer<QuorumDescription>,
): DescribeQuorumResponseProto {
  if (answer.status === 'not_controller') {
    return { notController: notControllerToProto(answer.leader), committedOffset: '-1' };
  }
  const q = answer.value;
  return {
    quorum: {
      leaderId: q.leaderId,
      leaderEpoch: q.leaderEpoch,
      highWatermark: int64ToWire(q.highWatermark),
      voters: q.voters.map(replicaToProto),
      observers: q.observers.map(replicaToProto),
      nodes: q.nodes.map((n) => ({
        nodeId: n.nodeId,
        listeners: n.listeners.map((l) => listenerToProto({ ...l, securityProtocol: 'PLAINTEXT' })),
      })),
    },
    committedOffset: int64ToWire(answer.committedOffset),
  };
}

export function describeQuorumResponseFromProto(
  p: DescribeQuorumResponseProto,
): Result<ControllerAnswer<QuorumDescription>, ResponseDecodeError> {
  if (p.outcome === 'notController' && p.notController !== undefined) {
    return ok({ status: 'not_controller', leader: notControllerFromProto(p.notController) });
  }
  if (p.outcome !== 'quorum' || p.quorum === undefined) return err('malformed_response', 'bad DescribeQuorum outcome');
  const q = p.quorum;
  return ok({
    status: 'ok',
    committedOffset: int64FromWire(p.committedOffset),
    value: {
      leaderId: q.leaderId,
      leaderEpoch: q.leaderEpoch,
      highWatermark: int64FromWire(q.highWatermark),
      voters: q.voters.map(replicaFromProto),
      observers: q.observers.map(replicaFromProto),
      nodes: q.nodes.map((n) => ({
        nodeId: n.nodeId,
        listeners: n.listeners.map(listenerFromProto).map(({ name, host, port }) => ({ name, host, port })),
      })),
    },
  });
}
