/**
 * Controller requests: TypeScript <-> proto shapes. The client encodes from
 * values it built (trusted); the server decodes what arrived, and the only
 * thing protobuf itself does not already guarantee, an enum name we know,
 * is checked here and reported as 'malformed_request'.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type {
  AlterConfigsResource,
  AlterPartitionRequest,
  BrokerHeartbeat,
  BrokerListener,
  ConfigAlteration,
  ConfigOperation,
  ConfigResourceType,
  CreatePartitionsTopic,
  CreateTopicRequest,
  RegisterBrokerRequest,
} from '@runnel/metadata';
import type {
  AlterPartitionRequestProto,
  BrokerHeartbeatRequestProto,
  ConfigResourceChangesProto,
  ConfigValueProto,
  CreatePartitionsRequestProto,
  CreateTopicsRequestProto,
  IncrementalAlterConfigsRequestProto,
  ListenerProto,
  RegisterBrokerRequestProto,
} from './generated/controller-proto.ts';
import { int64FromWire, int64ToWire } from './wire-int64.ts';

export type RequestDecodeError = 'malformed_request';

export function listenerToProto(l: BrokerListener): ListenerProto {
  return { name: l.name, host: l.host, port: l.port, securityProtocol: l.securityProtocol };
}

export function listenerFromProto(p: ListenerProto): BrokerListener {
  return { name: p.name, host: p.host, port: p.port, securityProtocol: p.securityProtocol };
}

export function configsToProto(configs: Readonly<Record<string, string>>): ConfigValueProto[] {
  return Object.entries(configs).map(([name, value]) => ({ name, value }));
}

export function configsFromProto(configs: readonly ConfigValueProto[]): Record<string, string> {
  // A null-prototype object: config names come from the network and "__proto__" must stay a plain key.
  const out: Record<string, string> = Object.create(null);
  for (const { name, value } of configs) out[name] = value;
  return out;
}

export function registerBrokerRequestToProto(req: RegisterBrokerRequest): RegisterBrokerRequestProto {
  const proto: RegisterBrokerRequestProto = {
    brokerId: req.brokerId,
    incarnationId: req.incarnationId,
    listeners: req.listeners.map(listenerToProto),
    previousShutdownClean: req.previousShutdownClean,
  };
  if (req.rack !== null) proto.rack = req.rack;
  if (req.clusterId !== null) proto.clusterId = req.clusterId;
  return proto;
}

export function registerBrokerRequestFromProto(p: RegisterBrokerRequestProto): RegisterBrokerRequest {
  return {
    brokerId: p.brokerId,
    incarnationId: p.incarnationId,
    listeners: p.listeners.map(listenerFromProto),
    rack: p.rack ?? null,
    // A peer that predates the field sends nothing: treat it as unclean, the safe side.
    previousShutdownClean: p.previousShutdownClean === true,
    // Empty or absent: a broker with no cluster of its own yet.
    clusterId: p.clusterId === undefined || p.clusterId === '' ? null : p.clusterId,
  };
}

export function heartbeatRequestToProto(req: BrokerHeartbeat): BrokerHeartbeatRequestProto {
  return {
    brokerId: req.brokerId,
    brokerEpoch: int64ToWire(req.brokerEpoch),
    metadataOffset: int64ToWire(req.metadataOffset),
    wantsShutdown: req.wantShutDown,
    offlineLogDirs: [...(req.offlineLogDirs ?? [])],
  };
}

export function heartbeatRequestFromProto(p: BrokerHeartbeatRequestProto): BrokerHeartbeat {
  return {
    brokerId: p.brokerId,
    brokerEpoch: int64FromWire(p.brokerEpoch),
    metadataOffset: int64FromWire(p.metadataOffset),
    wantShutDown: p.wantsShutdown,
    // Absent from brokers that predate the field: nothing offline.
    offlineLogDirs: p.offlineLogDirs ?? [],
  };
}

export function createTopicsRequestToProto(
  topics: readonly CreateTopicRequest[],
  validateOnly: boolean,
): CreateTopicsRequestProto {
  return {
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      assignments: t.assignments.map((a) => ({ partition: a.partition, brokerIds: [...a.brokerIds] })),
      configs: configsToProto(t.configs),
    })),
    validateOnly,
  };
}

export function createTopicsRequestFromProto(p: CreateTopicsRequestProto): {
  topics: CreateTopicRequest[];
  validateOnly: boolean;
} {
  return {
    topics: p.topics.map((t) => ({
      name: t.name,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      assignments: t.assignments.map((a) => ({ partition: a.partition, brokerIds: a.brokerIds })),
      configs: configsFromProto(t.configs),
    })),
    validateOnly: p.validateOnly,
  };
}

export function createPartitionsRequestToProto(
  topics: readonly CreatePartitionsTopic[],
  validateOnly: boolean,
): CreatePartitionsRequestProto {
  return {
    topics: topics.map((t) => ({
      topic: t.topic,
      count: t.count,
      assignments: t.assignments.map((brokerIds, i) => ({ partition: i, brokerIds: [...brokerIds] })),
    })),
    validateOnly,
  };
}

export function createPartitionsRequestFromProto(p: CreatePartitionsRequestProto): {
  topics: CreatePartitionsTopic[];
  validateOnly: boolean;
} {
  return {
    topics: p.topics.map((t) => ({
      topic: t.topic,
      count: t.count,
      assignments: t.assignments.map((a) => a.brokerIds),
    })),
    validateOnly: p.validateOnly,
  };
}

const configOpToWire = {
  set: 'CONFIG_OP_SET',
  delete: 'CONFIG_OP_DELETE',
  append: 'CONFIG_OP_APPEND',
  subtract: 'CONFIG_OP_SUBTRACT',
} as const satisfies Record<ConfigOperation, string>;

const configOpFromWire = new Map<string | number, ConfigOperation>(
  Object.entries(configOpToWire).map(([op, wire]) => [wire, op as ConfigOperation]),
);

export const resourceTypeToWire = {
  topic: 'CONFIG_RESOURCE_TYPE_TOPIC',
  broker: 'CONFIG_RESOURCE_TYPE_BROKER',
} as const satisfies Record<ConfigResourceType, string>;

const resourceTypeFromWireMap = new Map<string | number, ConfigResourceType>(
  Object.entries(resourceTypeToWire).map(([type, wire]) => [wire, type as ConfigResourceType]),
);

export function resourceTypeFromWire(wire: string | number): ConfigResourceType | undefined {
  return resourceTypeFromWireMap.get(wire);
}

export function alterConfigsRequestToProto(
  resources: readonly AlterConfigsResource[],
  validateOnly: boolean,
): IncrementalAlterConfigsRequestProto {
  return {
    resources: resources.map((r) => ({
      resourceType: resourceTypeToWire[r.resourceType],
      resourceName: r.resourceName,
      changes: r.changes.map((c) =>
        c.value === null
          ? { name: c.name, op: configOpToWire[c.op] }
          : { name: c.name, op: configOpToWire[c.op], value: c.value },
      ),
    })),
    validateOnly,
  };
}

export function alterConfigsRequestFromProto(
  p: IncrementalAlterConfigsRequestProto,
): Result<{ resources: AlterConfigsResource[]; validateOnly: boolean }, RequestDecodeError> {
  const resources: AlterConfigsResource[] = [];
  for (const r of p.resources) {
    const decoded = resourceChangesFromProto(r);
    if (!decoded.ok) return decoded;
    resources.push(decoded.value);
  }
  return ok({ resources, validateOnly: p.validateOnly });
}

function resourceChangesFromProto(r: ConfigResourceChangesProto): Result<AlterConfigsResource, RequestDecodeError> {
  const resourceType = resourceTypeFromWire(r.resourceType);
  if (resourceType === undefined) return err('malformed_request', `unknown resource type ${r.resourceType}`);
  const changes: ConfigAlteration[] = [];
  for (const c of r.changes) {
    const op = configOpFromWire.get(c.op);
    if (op === undefined) return err('malformed_request', `unknown config op ${c.op}`);
    changes.push({ name: c.name, op, value: c.value ?? null });
  }
  return ok({ resourceType, resourceName: r.resourceName, changes });
}

export function alterPartitionRequestToProto(req: AlterPartitionRequest): AlterPartitionRequestProto {
  return {
    leaderId: req.leaderId,
    topicId: req.topicId,
    partition: req.partition,
    leaderEpoch: req.leaderEpoch,
    partitionEpoch: req.partitionEpoch,
    isr: [...req.isr],
    addedBrokerEpochs: (req.addedBrokerEpochs ?? []).map((m) => ({
      brokerId: m.brokerId,
      brokerEpoch: int64ToWire(m.brokerEpoch),
    })),
  };
}

export function alterPartitionRequestFromProto(p: AlterPartitionRequestProto): AlterPartitionRequest {
  return {
    leaderId: p.leaderId,
    topicId: p.topicId,
    partition: p.partition,
    leaderEpoch: p.leaderEpoch,
    partitionEpoch: p.partitionEpoch,
    isr: p.isr,
    addedBrokerEpochs: (p.addedBrokerEpochs ?? []).map((m) => ({
      brokerId: m.brokerId,
      brokerEpoch: int64FromWire(m.brokerEpoch),
    })),
  };
}
