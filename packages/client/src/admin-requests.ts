/**
 * Bodies and results of the admin APIs (CreateTopics, DeleteTopics,
 * DescribeConfigs). Pure: building a request and reshaping a response,
 * with every per-item Kafka error code kept as data.
 */
import type {
  CreateTopicsRequest,
  CreateTopicsResponse,
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DescribeConfigsRequest,
  DescribeConfigsResponse,
} from '@runnel/protocol';
import { errorName } from '@runnel/protocol';

export interface NewTopic {
  name: string;
  /** Default: the broker's num.partitions (sent as -1; CreateTopics v4+), else 1. */
  numPartitions?: number;
  /** Default: the broker's default.replication.factor (sent as -1; v4+), else 1. */
  replicationFactor?: number;
  /** Topic config overrides, e.g. { 'cleanup.policy': 'compact' }. */
  configs?: Record<string, string>;
  /** Explicit replicas per partition; the counts are then sent as -1 (Kafka refuses both at once). */
  assignments?: readonly { partition: number; brokerIds: readonly number[] }[];
}

/** One topic's outcome. errorCode 0 means success; anything else is the broker's Kafka error code. */
export interface TopicResult {
  name: string;
  errorCode: number;
  errorName: string;
  errorMessage: string | null;
  /** CreateTopics v5+: the partition count the topic got (or would get, validateOnly); -1 when not said. */
  numPartitions?: number;
  /** CreateTopics v5+: the replication factor the topic got (or would get); -1 when not said. */
  replicationFactor?: number;
}

export const ConfigResourceTypes = { topic: 2, broker: 4 } as const;
export type ConfigResourceType = keyof typeof ConfigResourceTypes;

export interface ConfigResource {
  type: ConfigResourceType;
  name: string;
  /** Only these keys; null or absent for all. */
  keys?: string[] | null;
}

/** DescribeConfigs config sources (KIP-226), by name. */
export const ConfigSources = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isSensitive: boolean;
  /** One of ConfigSources; DYNAMIC_TOPIC_CONFIG marks a topic's own override. */
  source: number;
}

export interface ConfigResult {
  type: ConfigResourceType;
  name: string;
  errorCode: number;
  errorName: string;
  errorMessage: string | null;
  configs: ConfigEntry[];
}

export function createTopicsRequest(
  topics: readonly NewTopic[],
  apiVersion: number,
  timeoutMs: number,
  validateOnly: boolean,
): CreateTopicsRequest {
  // -1 ("use the broker default") exists from v4 (KIP-464); v3 needs real numbers.
  const unset = apiVersion >= 4 ? -1 : 1;
  return {
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.assignments?.length ? -1 : (t.numPartitions ?? unset),
      replicationFactor: t.assignments?.length ? -1 : (t.replicationFactor ?? unset),
      assignments: (t.assignments ?? []).map((a) => ({ partitionIndex: a.partition, brokerIds: [...a.brokerIds] })),
      configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
    })),
    timeoutMs,
    validateOnly,
  };
}

export function createTopicsResults(response: CreateTopicsResponse): TopicResult[] {
  return response.topics.map((t) => ({
    ...topicResult(t.name, t.errorCode, t.errorMessage),
    numPartitions: t.numPartitions ?? -1,
    replicationFactor: t.replicationFactor ?? -1,
  }));
}

const zeroUuid = '00000000-0000-0000-0000-000000000000';

/** v6 moved the names into `topics` (each a name or a topic id); earlier versions list names only. */
export function deleteTopicsRequest(
  names: readonly string[],
  apiVersion: number,
  timeoutMs: number,
): DeleteTopicsRequest {
  return apiVersion >= 6
    ? { topics: names.map((name) => ({ name, topicId: zeroUuid })), timeoutMs }
    : { topicNames: [...names], timeoutMs };
}

export function deleteTopicsResults(response: DeleteTopicsResponse): TopicResult[] {
  // Asked by name, every answer carries its name; null only answers an id (v6+).
  return response.responses.map((t) => topicResult(t.name ?? t.topicId ?? '', t.errorCode, t.errorMessage ?? null));
}

export function describeConfigsRequest(resources: readonly ConfigResource[]): DescribeConfigsRequest {
  return {
    resources: resources.map((r) => ({
      resourceType: ConfigResourceTypes[r.type],
      resourceName: r.name,
      configurationKeys: r.keys ?? null,
    })),
    includeSynonyms: false,
  };
}

export function describeConfigsResults(response: DescribeConfigsResponse): ConfigResult[] {
  return response.results.map((r) => ({
    type: r.resourceType === ConfigResourceTypes.broker ? 'broker' : 'topic',
    name: r.resourceName,
    errorCode: r.errorCode,
    errorName: errorName(r.errorCode),
    errorMessage: r.errorMessage,
    configs: r.configs.map((c) => ({
      name: c.name,
      value: c.value,
      readOnly: c.readOnly,
      isSensitive: c.isSensitive,
      source: c.configSource,
    })),
  }));
}

function topicResult(name: string, errorCode: number, errorMessage: string | null): TopicResult {
  return { name, errorCode, errorName: errorName(errorCode), errorMessage };
}
