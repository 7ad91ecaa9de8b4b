/**
 * The v2 metadata answers (Confluent's GetTopicResponse, GetPartitionResponse,
 * BrokerList) built from the client's Metadata view, and the lookups that
 * answer 40401 / 40402 the way Confluent's REST Proxy does. Pure.
 */
import type { ClusterMetadata, ConfigEntry, PartitionInfo, TopicInfo } from '@runnel/client';
import { ErrorCode } from '@runnel/protocol';
import { RestError, restErrorCodes } from '../rest-error.ts';

export interface ReplicaView {
  broker: number;
  leader: boolean;
  in_sync: boolean;
}

export interface PartitionView {
  partition: number;
  /** -1 while the partition has no leader. */
  leader: number;
  replicas: ReplicaView[];
}

export interface TopicView {
  name: string;
  configs: Record<string, string>;
  partitions: PartitionView[];
}

/** The topics a v2 listing shows: every topic but Kafka's internal ones (as AdminClient.listTopics), by name. */
export function topicNames(metadata: ClusterMetadata): string[] {
  return metadata.topics
    .filter((t) => t.errorCode === ErrorCode.NONE && !t.isInternal)
    .map((t) => t.name)
    .sort();
}

/** The topic's entry in a Metadata answer asked for it; RestError 40401 when the cluster has no such topic. */
export function topicOf(metadata: ClusterMetadata, name: string): TopicInfo {
  const topic = metadata.topics.find((t) => t.name === name);
  if (
    topic === undefined ||
    topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
    topic.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION
  ) {
    throw new RestError(restErrorCodes.topicNotFound, `Topic ${name} not found.`);
  }
  if (topic.errorCode !== ErrorCode.NONE || topic.partitions.length === 0) {
    // A topic being created or with its leaders being elected: the same request soon succeeds.
    throw new RestError(
      restErrorCodes.kafkaRetriableError,
      `Retriable Kafka error: topic ${name} has no partitions to show yet (error ${topic.errorCode})`,
    );
  }
  return topic;
}

/**
 * The partition number a path names, checked against the topic: RestError 40402 for one that is not a
 * non-negative integer below the partition count (Confluent answers 404 for both).
 */
export function partitionNumberOf(topic: TopicInfo, text: string): number {
  const partition = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(partition) || partition >= topic.partitions.length) {
    throw new RestError(restErrorCodes.partitionNotFound, `Partition ${text} of topic ${topic.name} not found.`);
  }
  return partition;
}

export function partitionView(partition: PartitionInfo): PartitionView {
  const isr = new Set(partition.isr);
  return {
    partition: partition.partition,
    leader: partition.leader,
    replicas: partition.replicas.map((broker) => ({
      broker,
      leader: broker === partition.leader,
      in_sync: isr.has(broker),
    })),
  };
}

/** Confluent's topic answer: the configs that apply to it (each entry's current value) and its partitions. */
export function topicView(topic: TopicInfo, configs: readonly ConfigEntry[]): TopicView {
  const configMap: Record<string, string> = {};
  for (const entry of configs) {
    // Sensitive values are never shown (DescribeConfigs already answers null for them).
    if (entry.value !== null && !entry.isSensitive) configMap[entry.name] = entry.value;
  }
  return { name: topic.name, configs: configMap, partitions: topic.partitions.map(partitionView) };
}

/** The broker ids of the cluster, ascending (Confluent's BrokerList). */
export function brokerIds(metadata: ClusterMetadata): { brokers: number[] } {
  return { brokers: metadata.brokers.map((b) => b.nodeId).sort((a, b) => a - b) };
}
