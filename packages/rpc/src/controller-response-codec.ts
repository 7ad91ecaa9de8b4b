/**
 * Controller responses: ControllerAnswer <-> proto shapes. The server
 * encodes its handler's answers; the client decodes and refuses anything
 * outside the contract (a missing oneof member, an error name outside the
 * closed union) as 'malformed_response', so an unknown name can never reach
 * the broker's Kafka error mapping.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type {
  AlterConfigsError,
  AlterConfigsResult,
  AlterPartitionError,
  AlterPartitionReply,
  BrokerHeartbeatError,
  BrokerHeartbeatReply,
  ClusterDescription,
  CreatedTopic,
  CreatePartitionsError,
  CreatePartitionsResult,
  CreateTopicError,
  CreateTopicResult,
  DeleteTopicResult,
  RegisterBrokerError,
} from '@runnel/metadata';
import type { ControllerAnswer, ControllerLeaderHint } from './controller-answer.ts';
import {
  configsFromProto,
  configsToProto,
  listenerFromProto,
  listenerToProto,
  resourceTypeFromWire,
  resourceTypeToWire,
} from './controller-request-codec.ts';
import type {
  AlterConfigsResultProto,
  AlterPartitionResponseProto,
  BrokerHeartbeatResponseProto,
  ClusterDescriptionProto,
  CreatePartitionsResultProto,
  CreateTopicResultProto,
  DeleteTopicResultProto,
  DescribeClusterResponseProto,
  ErrorProto,
  NotControllerProto,
  RegisterBrokerResponseProto,
} from './generated/controller-proto.ts';
import { int64FromWire, int64ToWire } from './wire-int64.ts';

export type ResponseDecodeError = 'malformed_response';

const createTopicErrors: ReadonlySet<string> = new Set<CreateTopicError>([
  'topic_already_exists',
  'invalid_topic_name',
  'invalid_partitions',
  'invalid_replication_factor',
  'invalid_replica_assignment',
  'invalid_config',
  'policy_violation',
]);
const deleteTopicErrors: ReadonlySet<string> = new Set<'unknown_topic' | 'unknown_topic_id'>([
  'unknown_topic',
  'unknown_topic_id',
]);
const registerBrokerErrors: ReadonlySet<string> = new Set<RegisterBrokerError>([
  'duplicate_broker_registration',
  'inconsistent_cluster_id',
]);
const heartbeatErrors: ReadonlySet<string> = new Set<BrokerHeartbeatError>(['unknown_broker', 'stale_broker_epoch']);
const createPartitionsErrors: ReadonlySet<string> = new Set<CreatePartitionsError>([
  'unknown_topic',
  'invalid_partitions',
  'invalid_replica_assignment',
  'invalid_replication_factor',
  'policy_violation',
]);
const alterConfigsErrors: ReadonlySet<string> = new Set<AlterConfigsError>([
  'unknown_topic',
  'invalid_config',
  'invalid_request',
]);

const alterPartitionErrors: ReadonlySet<string> = new Set<AlterPartitionError>([
  'unknown_topic_or_partition',
  'not_leader_or_follower',
  'fenced_leader_epoch',
  'invalid_update_version',
  'ineligible_replica',
  'invalid_request',
  'not_controller',
]);

export function notControllerToProto(leader: ControllerLeaderHint): NotControllerProto {
  return { leaderId: leader.leaderId ?? -1, leaderAddress: leader.leaderAddress ?? '' };
}

export function notControllerFromProto(p: NotControllerProto): ControllerLeaderHint {
  return {
    leaderId: p.leaderId < 0 ? null : p.leaderId,
    leaderAddress: p.leaderAddress === '' ? null : p.leaderAddress,
  };
}

export function errorToProto(result: { error: string; message?: string }): ErrorProto {
  return { name: result.error, message: result.message ?? '' };
}

/** The error as a failed Result when its name is in the closed union, else null. */
export function errorFromProto<E extends string>(
  p: ErrorProto,
  allowed: ReadonlySet<string>,
): { ok: false; error: E; message?: string } | null {
  if (!allowed.has(p.name)) return null;
  return err(p.name as E, p.message === '' ? undefined : p.message);
}

/** The shared frame of every response: the oneof's `results`/value member, not_controller, committed offset. */
export interface AnswerFrame<R> {
  outcome?: 'results' | 'notController';
  results?: { results: R[] };
  notController?: NotControllerProto;
  committedOffset: string;
}

export function listAnswerToProto<T, R>(
  answer: ControllerAnswer<readonly T[]>,
  encode: (item: T) => R,
): AnswerFrame<R> {
  if (answer.status === 'not_controller')
    return { notController: notControllerToProto(answer.leader), committedOffset: '-1' };
  return { results: { results: answer.value.map(encode) }, committedOffset: int64ToWire(answer.committedOffset) };
}

export function listAnswerFromProto<T, R>(
  p: AnswerFrame<R>,
  decode: (item: R) => T | null,
): Result<ControllerAnswer<T[]>, ResponseDecodeError> {
  if (p.outcome === 'notController' && p.notController !== undefined) {
    return ok({ status: 'not_controller', leader: notControllerFromProto(p.notController) });
  }
  if (p.outcome !== 'results' || p.results === undefined) return err('malformed_response', 'no results');
  const values: T[] = [];
  for (const item of p.results.results) {
    const value = decode(item);
    if (value === null) return err('malformed_response', 'a result outside the contract');
    values.push(value);
  }
  return ok({ status: 'ok', value: values, committedOffset: int64FromWire(p.committedOffset) });
}

export function createTopicsResponseToProto(
  answer: ControllerAnswer<readonly CreateTopicResult[]>,
): AnswerFrame<CreateTopicResultProto> {
  return listAnswerToProto(answer, ({ name, result }) =>
    result.ok
      ? {
          name,
          created: {
            topicId: result.value.topicId,
            numPartitions: result.value.numPartitions,
            replicationFactor: result.value.replicationFactor,
            configs: configsToProto(result.value.configs),
          },
        }
      : { name, error: errorToProto(result) },
  );
}

export function createTopicsResponseFromProto(
  p: AnswerFrame<CreateTopicResultProto>,
): Result<ControllerAnswer<CreateTopicResult[]>, ResponseDecodeError> {
  return listAnswerFromProto(p, (r): CreateTopicResult | null => {
    if (r.outcome === 'created' && r.created !== undefined) {
      const created: CreatedTopic = {
        topicId: r.created.topicId,
        numPartitions: r.created.numPartitions,
        replicationFactor: r.created.replicationFactor,
        configs: configsFromProto(r.created.configs),
      };
      return { name: r.name, result: ok(created) };
    }
    const failed =
      r.outcome === 'error' && r.error !== undefined
        ? errorFromProto<CreateTopicError>(r.error, createTopicErrors)
        : null;
    return failed === null ? null : { name: r.name, result: failed };
  });
}

export function deleteTopicsResponseToProto(
  answer: ControllerAnswer<readonly DeleteTopicResult[]>,
): AnswerFrame<DeleteTopicResultProto> {
  // proto3 has no absent string: '' stands for "asked by name".
  return listAnswerToProto(answer, ({ name, byTopicId = '', result }) =>
    result.ok ? { name, topicId: result.value.topicId, byTopicId } : { name, error: errorToProto(result), byTopicId },
  );
}

export function deleteTopicsResponseFromProto(
  p: AnswerFrame<DeleteTopicResultProto>,
): Result<ControllerAnswer<DeleteTopicResult[]>, ResponseDecodeError> {
  return listAnswerFromProto(p, (r): DeleteTopicResult | null => {
    const asked = r.byTopicId === '' ? {} : { byTopicId: r.byTopicId };
    if (r.outcome === 'topicId' && r.topicId !== undefined) {
      return { name: r.name, ...asked, result: ok({ topicId: r.topicId }) };
    }
    const failed =
      r.outcome === 'error' && r.error !== undefined
        ? errorFromProto<'unknown_topic' | 'unknown_topic_id'>(r.error, deleteTopicErrors)
        : null;
    return failed === null ? null : { name: r.name, ...asked, result: failed };
  });
}

export function createPartitionsResponseToProto(
  answer: ControllerAnswer<readonly CreatePartitionsResult[]>,
): AnswerFrame<CreatePartitionsResultProto> {
  return listAnswerToProto(answer, ({ topic, result }) =>
    result.ok ? { topic, created: {} } : { topic, error: errorToProto(result) },
  );
}

export function createPartitionsResponseFromProto(
  p: AnswerFrame<CreatePartitionsResultProto>,
): Result<ControllerAnswer<CreatePartitionsResult[]>, ResponseDecodeError> {
  return listAnswerFromProto(p, (r): CreatePartitionsResult | null => {
    if (r.outcome === 'created') return { topic: r.topic, result: ok(null) };
    const failed =
      r.outcome === 'error' && r.error !== undefined
        ? errorFromProto<CreatePartitionsError>(r.error, createPartitionsErrors)
        : null;
    return failed === null ? null : { topic: r.topic, result: failed };
  });
}

export function alterConfigsResponseToProto(
  answer: ControllerAnswer<readonly AlterConfigsResult[]>,
): AnswerFrame<AlterConfigsResultProto> {
  return listAnswerToProto(answer, ({ resourceType, resourceName, result }) => {
    const base = { resourceType: resourceTypeToWire[resourceType], resourceName };
    return result.ok ? { ...base, altered: {} } : { ...base, error: errorToProto(result) };
  });
}

export function alterConfigsResponseFromProto(
  p: AnswerFrame<AlterConfigsResultProto>,
): Result<ControllerAnswer<AlterConfigsResult[]>, ResponseDecodeError> {
  return listAnswerFromProto(p, (r): AlterConfigsResult | null => {
    const resourceType = resourceTypeFromWire(r.resourceType);
    if (resourceType === undefined) return null;
    if (r.outcome === 'altered') return { resourceType, resourceName: r.resourceName, result: ok(null) };
    const failed =
      r.outcome === 'error' && r.error !== undefined
        ? errorFromProto<AlterConfigsError>(r.error, alterConfigsErrors)
        : null;
    return failed === null ? null : { resourceType, resourceName: r.resourceName, result: failed };
  });
}

export function registerBrokerResponseToProto(
  answer: ControllerAnswer<Result<{ brokerEpoch: bigint }, RegisterBrokerError>>,
): RegisterBrokerResponseProto {
  if (answer.status === 'not_controller')
    return { notController: notControllerToProto(answer.leader), committedOffset: '-1' };
  const committedOffset = int64ToWire(answer.committedOffset);
  const result = answer.value;
  return result.ok
    ? { brokerEpoch: int64ToWire(result.value.brokerEpoch), committedOffset }
    : { error: errorToProto(result), committedOffset };
}

export function registerBrokerResponseFromProto(
  p: RegisterBrokerResponseProto,
): Result<ControllerAnswer<Result<{ brokerEpoch: bigint }, RegisterBrokerError>>, ResponseDecodeError> {
  const committedOffset = int64FromWire(p.committedOffset);
  if (p.outcome === 'notController' && p.notController !== undefined) {
    return ok({ status: 'not_controller', leader: notControllerFromProto(p.notController) });
  }
  if (p.outcome === 'brokerEpoch' && p.brokerEpoch !== undefined) {
    return ok({ status: 'ok', value: ok({ brokerEpoch: int64FromWire(p.brokerEpoch) }), committedOffset });
  }
  const failed =
    p.outcome === 'error' && p.error !== undefined
      ? errorFromProto<RegisterBrokerError>(p.error, registerBrokerErrors)
      : null;
  return failed === null
    ? err('malformed_response', 'bad RegisterBroker outcome')
    : ok({ status: 'ok', value: failed, committedOffset });
}

export function heartbeatResponseToProto(
  answer: ControllerAnswer<Result<BrokerHeartbeatReply, BrokerHeartbeatError>>,
): BrokerHeartbeatResponseProto {
  if (answer.status === 'not_controller')
    return { notController: notControllerToProto(answer.leader), committedOffset: '-1' };
  const committedOffset = int64ToWire(answer.committedOffset);
  const result = answer.value;
  if (!result.ok) return { error: errorToProto(result), committedOffset };
  const { fenced, caughtUp, shouldShutDown } = result.value;
  return { state: { isFenced: fenced, isCaughtUp: caughtUp, shouldShutDown }, committedOffset };
}

export function heartbeatResponseFromProto(
  p: BrokerHeartbeatResponseProto,
): Result<ControllerAnswer<Result<BrokerHeartbeatReply, BrokerHeartbeatError>>, ResponseDecodeError> {
  const committedOffset = int64FromWire(p.committedOffset);
  if (p.outcome === 'notController' && p.notController !== undefined) {
    return ok({ status: 'not_controller', leader: notControllerFromProto(p.notController) });
  }
  if (p.outcome === 'state' && p.state !== undefined) {
    const { isFenced, isCaughtUp, shouldShutDown } = p.state;
    return ok({ status: 'ok', value: ok({ fenced: isFenced, caughtUp: isCaughtUp, shouldShutDown }), committedOffset });
  }
  const failed =
    p.outcome === 'error' && p.error !== undefined
      ? errorFromProto<BrokerHeartbeatError>(p.error, heartbeatErrors)
      : null;
  return failed === null
    ? err('malformed_response', 'bad BrokerHeartbeat outcome')
    : ok({ status: 'ok', value: failed, committedOffset });
}

export function describeClusterResponseToProto(
  answer: ControllerAnswer<ClusterDescription>,
): DescribeClusterResponseProto {
  if (answer.status === 'not_controller') return { notController: notControllerToProto(answer.leader) };
  const c = answer.value;
  const cluster: ClusterDescriptionProto = {
    clusterId: c.clusterId,
    controllerId: c.controllerId,
    metadataOffset: int64ToWire(c.metadataOffset),
    brokers: c.brokers.map((b) => {
      const broker = {
        brokerId: b.brokerId,
        brokerEpoch: int64ToWire(b.brokerEpoch),
        listeners: b.listeners.map(listenerToProto),
        fenced: b.fenced,
      };
      return b.rack === null ? broker : { ...broker, rack: b.rack };
    }),
  };
  return { cluster };
}

export function describeClusterResponseFromProto(
  p: DescribeClusterResponseProto,
): Result<ControllerAnswer<ClusterDescription>, ResponseDecodeError> {
  if (p.outcome === 'notController' && p.notController !== undefined) {
    return ok({ status: 'not_controller', leader: notControllerFromProto(p.notController) });
  }
  if (p.outcome !== 'cluster' || p.cluster === undefined)
    return err('malformed_response', 'bad DescribeCluster outcome');
  const c = p.cluster;
  return ok({
    status: 'ok',
    committedOffset: -1n,
    value: {
      clusterId: c.clusterId,
      controllerId: c.controllerId,
      metadataOffset: int64FromWire(c.metadataOffset),
      brokers: c.brokers.map((b) => ({
        brokerId: b.brokerId,
        brokerEpoch: int64FromWire(b.brokerEpoch),
        listeners: b.listeners.map(listenerFromProto),
        rack: b.rack ?? null,
        fenced: b.fenced,
      })),
    },
  });
}

export function alterPartitionResponseToProto(
  answer: ControllerAnswer<Result<AlterPartitionReply, AlterPartitionError>>,
): AlterPartitionResponseProto {
  if (answer.status === 'not_controller')
    return { notController: notControllerToProto(answer.leader), committedOffset: '-1' };
  const committedOffset = int64ToWire(answer.committedOffset);
  const result = answer.value;
  return result.ok
    ? { altered: { partitionEpoch: result.value.partitionEpoch, isr: [...result.value.isr] }, committedOffset }
    : { error: errorToProto(result), committedOffset };
}

export function alterPartitionResponseFromProto(
  p: AlterPartitionResponseProto,
): Result<ControllerAnswer<Result<AlterPartitionReply, AlterPartitionError>>, ResponseDecodeError> {
  if (p.outcome === 'notController' && p.notController !== undefined) {
    return ok({ status: 'not_controller', leader: notControllerFromProto(p.notController) });
  }
  const committedOffset = int64FromWire(p.committedOffset);
  if (p.outcome === 'altered' && p.altered !== undefined) {
    const { partitionEpoch, isr } = p.altered;
    return ok({ status: 'ok', value: ok({ partitionEpoch, isr }), committedOffset });
  }
  const failed =
    p.outcome === 'error' && p.error !== undefined
      ? errorFromProto<AlterPartitionError>(p.error, alterPartitionErrors)
      : null;
  return failed === null
    ? err('malformed_response', 'bad AlterPartition outcome')
    : ok({ status: 'ok', value: failed, committedOffset });
}
