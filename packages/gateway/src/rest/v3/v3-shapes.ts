/**
 * The v3 resources built from cluster metadata: KafkaCluster, KafkaBroker,
 * KafkaTopic, KafkaPartition, KafkaReplica and KafkaReassignment, with
 * Confluent's field names and `related` links. Pure.
 */
import type { BrokerInfo, OngoingReassignment, PartitionInfo, TopicInfo } from '@runnel/client';
import { type Relationship, type Resource, resource, type V3Urls } from './v3-resources.ts';

export function clusterData(urls: V3Urls, controllerId: number): Resource<object> {
  return resource('KafkaCluster', urls.url(), urls.crn(), {
    cluster_id: urls.clusterId,
    ...(controllerId >= 0 ? { controller: urls.related('brokers', controllerId) } : {}),
    acls: urls.related('acls'),
    brokers: urls.related('brokers'),
    broker_configs: urls.related('broker-configs'),
    consumer_groups: urls.related('consumer-groups'),
    topics: urls.related('topics'),
    partition_reassignments: { related: `${urls.url('topics')}/-/partitions/-/reassignment` },
  });
}

export function brokerData(urls: V3Urls, broker: BrokerInfo): Resource<object> {
  return resource('KafkaBroker', urls.url('brokers', broker.nodeId), urls.crn(`broker=${broker.nodeId}`), {
    cluster_id: urls.clusterId,
    broker_id: broker.nodeId,
    host: broker.host,
    port: broker.port,
    rack: broker.rack,
    configs: urls.related('brokers', broker.nodeId, 'configs'),
    partition_replicas: urls.related('brokers', broker.nodeId, 'partition-replicas'),
  });
}

/** What a KafkaTopic says about a topic, from metadata or a CreateTopics answer. */
export interface TopicSummary {
  name: string;
  isInternal: boolean;
  partitionsCount: number;
  replicationFactor: number;
}

/** The replication factor Kafka's admin reports is the first partition's replica count. */
export function topicSummary(topic: TopicInfo): TopicSummary {
  return {
    name: topic.name,
    isInternal: topic.isInternal,
    partitionsCount: topic.partitions.length,
    replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
  };
}

export function topicData(urls: V3Urls, topic: TopicSummary): Resource<object> {
  return resource('KafkaTopic', urls.url('topics', topic.name), urls.crn(`topic=${topic.name}`), {
    cluster_id: urls.clusterId,
    topic_name: topic.name,
    is_internal: topic.isInternal,
    replication_factor: topic.replicationFactor,
    partitions_count: topic.partitionsCount,
    partitions: urls.related('topics', topic.name, 'partitions'),
    configs: urls.related('topics', topic.name, 'configs'),
    partition_reassignments: { related: `${urls.url('topics', topic.name, 'partitions')}/-/reassignment` },
  });
}

export function partitionData(urls: V3Urls, topic: string, p: PartitionInfo): Resource<object> {
  const self = urls.url('topics', topic, 'partitions', p.partition);
  return resource('KafkaPartition', self, urls.crn(`topic=${topic}`, `partition=${p.partition}`), {
    cluster_id: urls.clusterId,
    topic_name: topic,
    partition_id: p.partition,
    ...(p.leader >= 0
      ? { leader: urls.related('topics', topic, 'partitions', p.partition, 'replicas', p.leader) }
      : {}),
    replicas: urls.related('topics', topic, 'partitions', p.partition, 'replicas'),
    reassignment: urls.related('topics', topic, 'partitions', p.partition, 'reassignment'),
  });
}

export interface ReplicaFields {
  cluster_id: string;
  topic_name: string;
  partition_id: number;
  broker_id: number;
  is_leader: boolean;
  is_in_sync: boolean;
  broker: Relationship;
}

export function replicaData(urls: V3Urls, topic: string, p: PartitionInfo, brokerId: number): Resource<ReplicaFields> {
  const self = urls.url('topics', topic, 'partitions', p.partition, 'replicas', brokerId);
  return resource('KafkaReplica', self, urls.crn(`topic=${topic}`, `partition=${p.partition}`, `replica=${brokerId}`), {
    cluster_id: urls.clusterId,
    topic_name: topic,
    partition_id: p.partition,
    broker_id: brokerId,
    is_leader: p.leader === brokerId,
    is_in_sync: p.isr.includes(brokerId),
    broker: urls.related('brokers', brokerId),
  });
}

/** Every replica a broker holds, by topic name then partition. */
export function replicasOnBroker(
  urls: V3Urls,
  topics: readonly TopicInfo[],
  brokerId: number,
): Resource<ReplicaFields>[] {
  return [...topics]
    .filter((t) => t.errorCode === 0)
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((t) =>
      t.partitions.filter((p) => p.replicas.includes(brokerId)).map((p) => replicaData(urls, t.name, p, brokerId)),
    );
}

export function reassignmentData(urls: V3Urls, r: OngoingReassignment): Resource<object> {
  const self = urls.url('topics', r.topic, 'partitions', r.partition, 'reassignment');
  return resource('KafkaReassignment', self, urls.crn(`topic=${r.topic}`, `partition=${r.partition}`, 'reassignment'), {
    cluster_id: urls.clusterId,
    topic_name: r.topic,
    partition_id: r.partition,
    adding_replicas: r.addingReplicas,
    removing_replicas: r.removingReplicas,
    replicas: urls.related('topics', r.topic, 'partitions', r.partition, 'replicas'),
  });
}

/** Reassignments sorted as Confluent lists them: by topic, then partition. */
export function sortReassignments(list: readonly OngoingReassignment[]): OngoingReassignment[] {
  return [...list].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
