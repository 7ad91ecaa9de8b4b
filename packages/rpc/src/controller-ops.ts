/**
 * The broker <-> controller contract as one table: every unary
 * ControllerService operation with its gRPC method, its request and answer
 * in the domain types of @runnel/metadata, and the codecs between those and
 * the proto shapes generated from proto/controller.proto. The client, the
 * server, the broker's ControllerChannel and the controller's handler table
 * are all derived from it, so an operation is declared once:
 *
 *   proto/controller.proto        the RPC and its messages (npm run gen)
 *   here                          one entry: method + codecs
 *   controller logic/ + service   the rule, one line in controller-service.ts
 *   broker handlers/              the Kafka API that calls it
 *
 * FetchMetadata, the one streaming RPC, is not in the table.
 */
import type { Result } from '@runnel/common';
import { ok } from '@runnel/common';
import type {
  AlterClientQuotasError,
  AlterConfigsResource,
  AlterConfigsResult,
  AlterPartitionError,
  AlterPartitionReply,
  AlterPartitionRequest,
  BrokerHeartbeat,
  BrokerHeartbeatError,
  BrokerHeartbeatReply,
  BrokerStatus,
  ClusterDescription,
  CreatePartitionsResult,
  CreatePartitionsTopic,
  CreateTopicRequest,
  CreateTopicResult,
  DecommissionError,
  DeleteTopicResult,
  DeleteTopicsRequest,
  ElectLeadersResult,
  OngoingReassignment,
  PartitionReassignment,
  PartitionReassignmentResult,
  QuorumDescription,
  ReassignmentQuery,
  RegisterBrokerError,
  RegisterBrokerRequest,
  TopicPartitionRef,
  UpdateFeaturesError,
} from '@runnel/metadata';
import {
  decommissionResponseFromProto,
  decommissionResponseToProto,
  describeBrokersResponseFromProto,
  describeBrokersResponseToProto,
} from './broker-admin-codec.ts';
import {
  type AlterClientQuotasCall,
  alterClientQuotasRequestFromProto,
  alterClientQuotasRequestToProto,
  alterClientQuotasResponseFromProto,
  alterClientQuotasResponseToProto,
} from './client-quotas-codec.ts';
import type { ControllerAnswer } from './controller-answer.ts';
import {
  alterConfigsRequestFromProto,
  alterConfigsRequestToProto,
  alterPartitionRequestFromProto,
  alterPartitionRequestToProto,
  createPartitionsRequestFromProto,
  createPartitionsRequestToProto,
  createTopicsRequestFromProto,
  createTopicsRequestToProto,
  heartbeatRequestFromProto,
  heartbeatRequestToProto,
  registerBrokerRequestFromProto,
  registerBrokerRequestToProto,
} from './controller-request-codec.ts';
import type { ResponseDecodeError } from './controller-response-codec.ts';
import {
  alterConfigsResponseFromProto,
  alterConfigsResponseToProto,
  alterPartitionResponseFromProto,
  alterPartitionResponseToProto,
  createPartitionsResponseFromProto,
  createPartitionsResponseToProto,
  createTopicsResponseFromProto,
  createTopicsResponseToProto,
  deleteTopicsResponseFromProto,
  deleteTopicsResponseToProto,
  describeClusterResponseFromProto,
  describeClusterResponseToProto,
  heartbeatResponseFromProto,
  heartbeatResponseToProto,
  registerBrokerResponseFromProto,
  registerBrokerResponseToProto,
} from './controller-response-codec.ts';
import {
  electLeadersRequestFromProto,
  electLeadersRequestToProto,
  electLeadersResponseFromProto,
  electLeadersResponseToProto,
} from './elect-leaders-codec.ts';
import {
  type UpdateFeaturesCall,
  updateFeaturesRequestFromProto,
  updateFeaturesRequestToProto,
  updateFeaturesResponseFromProto,
  updateFeaturesResponseToProto,
} from './features-codec.ts';
import type {
  AlterPartitionReassignmentsRequestProto,
  DecommissionBrokerRequestProto,
  DeleteTopicsRequestProto,
  ElectLeadersRequestProto,
  ListPartitionReassignmentsRequestProto,
} from './generated/controller-proto.ts';
import type { AllocateProducerIdsError, AllocateProducerIdsRequest, ProducerIdBlock } from './producer-ids-codec.ts';
import {
  allocateProducerIdsRequestFromProto,
  allocateProducerIdsRequestToProto,
  allocateProducerIdsResponseFromProto,
  allocateProducerIdsResponseToProto,
} from './producer-ids-codec.ts';
import { describeQuorumResponseFromProto, describeQuorumResponseToProto } from './quorum-codec.ts';
import {
  alterReassignmentsRequestFromProto,
  alterReassignmentsRequestToProto,
  alterReassignmentsResponseFromProto,
  alterReassignmentsResponseToProto,
  listReassignmentsRequestFromProto,
  listReassignmentsRequestToProto,
  listReassignmentsResponseFromProto,
  listReassignmentsResponseToProto,
} from './reassignment-codec.ts';

/**
 * One operation: `Req` and `Value` are the domain request and answer. The
 * proto shapes are each codec's own (generated types); the table sees them
 * as `unknown` because protobufjs, not TypeScript, stands between the two
 * ends. A request that does not decode is answered INVALID_ARGUMENT; an
 * answer that does not decode is a malformed_response for the caller.
 */
export interface ControllerOp<Req, Value> {
  /** The ControllerService method, e.g. 'CreateTopics'. */
  readonly method: string;
  requestToProto(request: Req): unknown;
  requestFromProto(proto: unknown): Result<Req, 'malformed_request'>;
  answerToProto(answer: ControllerAnswer<Value>): unknown;
  answerFromProto(proto: unknown): Result<ControllerAnswer<Value>, ResponseDecodeError>;
}

/** Ties an entry's types together (the table's only job is to list them). */
function op<Req, Value>(entry: ControllerOp<Req, Value>): ControllerOp<Req, Value> {
  return entry;
}

/** A request decoded without validation beyond what the proto shape guarantees. */
function decoded<Req, ReqP>(fromProto: (proto: ReqP) => Req): (proto: ReqP) => Result<Req, 'malformed_request'> {
  return (proto) => ok(fromProto(proto));
}

export const controllerOps = {
  registerBroker: op<RegisterBrokerRequest, Result<{ brokerEpoch: bigint }, RegisterBrokerError>>({
    method: 'RegisterBroker',
    requestToProto: registerBrokerRequestToProto,
    requestFromProto: decoded(registerBrokerRequestFromProto),
    answerToProto: registerBrokerResponseToProto,
    answerFromProto: registerBrokerResponseFromProto,
  }),
  brokerHeartbeat: op<BrokerHeartbeat, Result<BrokerHeartbeatReply, BrokerHeartbeatError>>({
    method: 'BrokerHeartbeat',
    requestToProto: heartbeatRequestToProto,
    requestFromProto: decoded(heartbeatRequestFromProto),
    answerToProto: heartbeatResponseToProto,
    answerFromProto: heartbeatResponseFromProto,
  }),
  createTopics: op<
    { readonly topics: readonly CreateTopicRequest[]; readonly validateOnly: boolean },
    CreateTopicResult[]
  >({
    method: 'CreateTopics',
    requestToProto: ({ topics, validateOnly }) => createTopicsRequestToProto(topics, validateOnly),
    requestFromProto: decoded(createTopicsRequestFromProto),
    answerToProto: createTopicsResponseToProto,
    answerFromProto: createTopicsResponseFromProto,
  }),
  deleteTopics: op<DeleteTopicsRequest, DeleteTopicResult[]>({
    method: 'DeleteTopics',
    requestToProto: ({ names, topicIds }) => ({ names: [...names], topicIds: [...(topicIds ?? [])] }),
    requestFromProto: decoded(({ names, topicIds }: DeleteTopicsRequestProto) => ({ names, topicIds })),
    answerToProto: deleteTopicsResponseToProto,
    answerFromProto: deleteTopicsResponseFromProto,
  }),
  createPartitions: op<
    { readonly topics: readonly CreatePartitionsTopic[]; readonly validateOnly: boolean },
    CreatePartitionsResult[]
  >({
    method: 'CreatePartitions',
    requestToProto: ({ topics, validateOnly }) => createPartitionsRequestToProto(topics, validateOnly),
    requestFromProto: decoded(createPartitionsRequestFromProto),
    answerToProto: createPartitionsResponseToProto,
    answerFromProto: createPartitionsResponseFromProto,
  }),
  alterConfigs: op<
    { readonly resources: readonly AlterConfigsResource[]; readonly validateOnly: boolean },
    AlterConfigsResult[]
  >({
    method: 'IncrementalAlterConfigs',
    requestToProto: ({ resources, validateOnly }) => alterConfigsRequestToProto(resources, validateOnly),
    requestFromProto: alterConfigsRequestFromProto,
    answerToProto: alterConfigsResponseToProto,
    answerFromProto: alterConfigsResponseFromProto,
  }),
  describeCluster: op<Record<string, never>, ClusterDescription>({
    method: 'DescribeCluster',
    requestToProto: () => ({}),
    requestFromProto: () => ok({}),
    answerToProto: describeClusterResponseToProto,
    answerFromProto: describeClusterResponseFromProto,
  }),
  alterPartition: op<AlterPartitionRequest, Result<AlterPartitionReply, AlterPartitionError>>({
    method: 'AlterPartition',
    requestToProto: alterPartitionRequestToProto,
    requestFromProto: decoded(alterPartitionRequestFromProto),
    answerToProto: alterPartitionResponseToProto,
    answerFromProto: alterPartitionResponseFromProto,
  }),
  alterPartitionReassignments: op<
    { readonly reassignments: readonly PartitionReassignment[] },
    PartitionReassignmentResult[]
  >({
    method: 'AlterPartitionReassignments',
    requestToProto: ({ reassignments }) => alterReassignmentsRequestToProto(reassignments),
    requestFromProto: (p: AlterPartitionReassignmentsRequestProto) =>
      mapOk(alterReassignmentsRequestFromProto(p), (reassignments) => ({ reassignments })),
    answerToProto: alterReassignmentsResponseToProto,
    answerFromProto: alterReassignmentsResponseFromProto,
  }),
  listPartitionReassignments: op<{ readonly query: readonly ReassignmentQuery[] | null }, OngoingReassignment[]>({
    method: 'ListPartitionReassignments',
    requestToProto: ({ query }) => listReassignmentsRequestToProto(query),
    requestFromProto: (p: ListPartitionReassignmentsRequestProto) =>
      mapOk(listReassignmentsRequestFromProto(p), (query) => ({ query })),
    answerToProto: listReassignmentsResponseToProto,
    answerFromProto: listReassignmentsResponseFromProto,
  }),
  electLeaders: op<{ readonly partitions: readonly TopicPartitionRef[] | null }, ElectLeadersResult[]>({
    method: 'ElectLeaders',
    requestToProto: ({ partitions }) => electLeadersRequestToProto(partitions),
    requestFromProto: (p: ElectLeadersRequestProto) =>
      mapOk(electLeadersRequestFromProto(p), (partitions) => ({ partitions })),
    answerToProto: electLeadersResponseToProto,
    answerFromProto: electLeadersResponseFromProto,
  }),
  describeBrokers: op<Record<string, never>, BrokerStatus[]>({
    method: 'DescribeBrokers',
    requestToProto: () => ({}),
    requestFromProto: () => ok({}),
    answerToProto: describeBrokersResponseToProto,
    answerFromProto: describeBrokersResponseFromProto,
  }),
  decommissionBroker: op<
    { readonly brokerId: number; readonly cancel: boolean },
    Result<BrokerStatus, DecommissionError>
  >({
    method: 'DecommissionBroker',
    requestToProto: ({ brokerId, cancel }) => ({ brokerId, cancel }),
    requestFromProto: decoded(({ brokerId, cancel }: DecommissionBrokerRequestProto) => ({ brokerId, cancel })),
    answerToProto: decommissionResponseToProto,
    answerFromProto: decommissionResponseFromProto,
  }),
  describeQuorum: op<Record<string, never>, QuorumDescription>({
    method: 'DescribeQuorum',
    requestToProto: () => ({}),
    requestFromProto: () => ok({}),
    answerToProto: describeQuorumResponseToProto,
    answerFromProto: describeQuorumResponseFromProto,
  }),
  updateFeatures: op<UpdateFeaturesCall, Result<null, UpdateFeaturesError>>({
    method: 'UpdateFeatures',
    requestToProto: updateFeaturesRequestToProto,
    requestFromProto: updateFeaturesRequestFromProto,
    answerToProto: updateFeaturesResponseToProto,
    answerFromProto: updateFeaturesResponseFromProto,
  }),
  alterClientQuotas: op<AlterClientQuotasCall, Result<null, AlterClientQuotasError>[]>({
    method: 'AlterClientQuotas',
    requestToProto: alterClientQuotasRequestToProto,
    requestFromProto: alterClientQuotasRequestFromProto,
    answerToProto: alterClientQuotasResponseToProto,
    answerFromProto: alterClientQuotasResponseFromProto,
  }),
  allocateProducerIds: op<AllocateProducerIdsRequest, Result<ProducerIdBlock, AllocateProducerIdsError>>({
    method: 'AllocateProducerIds',
    requestToProto: allocateProducerIdsRequestToProto,
    requestFromProto: allocateProducerIdsRequestFromProto,
    answerToProto: allocateProducerIdsResponseToProto,
    answerFromProto: allocateProducerIdsResponseFromProto,
  }),
};

function mapOk<T, U, E extends string>(result: Result<T, E>, f: (value: T) => U): Result<U, E> {
  return result.ok ? ok(f(result.value)) : result;
}

export type ControllerOps = typeof controllerOps;
export type ControllerOpName = keyof ControllerOps;
/** The domain request of operation K. */
export type OpRequest<K extends ControllerOpName> = ControllerOps[K] extends ControllerOp<infer R, unknown> ? R : never;
/** The domain answer (value) of operation K. */
export type OpValue<K extends ControllerOpName> = ControllerOps[K] extends ControllerOp<unknown, infer V> ? V : never;

/**
 * The entry of operation `name`, typed by its name. TypeScript cannot relate
 * an indexed access on the table to the generic K, so this is the one cast
 * between the table and its users.
 */
export function controllerOp<K extends ControllerOpName>(name: K): ControllerOp<OpRequest<K>, OpValue<K>> {
  return controllerOps[name] as unknown as ControllerOp<OpRequest<K>, OpValue<K>>;
}

/** Every operation name, in table order. */
export const controllerOpNames = Object.keys(controllerOps) as ControllerOpName[];
