/**
 * Partitions and their replicas: GET .../topics/{t}/partitions,
 * .../partitions/{p}, .../partitions/{p}/replicas and
 * .../replicas/{broker_id}, from cluster metadata. An unknown topic or
 * partition is 404 with 40403 (Kafka's UNKNOWN_TOPIC_OR_PARTITION); a broker
 * that holds no replica of the partition is 404.
 */
import type { KafkaClient, PartitionInfo } from '@runnel/client';
import { ErrorCode } from '@runnel/protocol';
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { kafkaRestError } from './v3-kafka-errors.ts';
import { collection } from './v3-resources.ts';
import { intParam, intPathParam, notFound, stringPathParam, v3Route } from './v3-route-kit.ts';
import { partitionData, replicaData } from './v3-shapes.ts';
import { knownTopic } from './v3-topic-routes.ts';

export async function knownPartition(client: KafkaClient, topic: string, partition: number): Promise<PartitionInfo> {
  const found = (await knownTopic(client, topic)).partitions.find((p) => p.partition === partition);
  if (found === undefined)
    throw kafkaRestError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null, `partition ${topic}-${partition}`);
  return found;
}

const partitionParams = { topic_name: stringPathParam, partition_id: intPathParam };

export function registerPartitionRoutes(app: FastifyInstance, context: RestContext): void {
  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/topics/:topic_name/partitions',
    summary: 'List Partitions',
    params: { topic_name: stringPathParam },
    handler: async (call, { client, urls }) => {
      const name = call.params.topic_name ?? '';
      const topic = await knownTopic(client, name);
      return collection(
        'KafkaPartitionList',
        urls.url('topics', name, 'partitions'),
        topic.partitions.map((p) => partitionData(urls, name, p)),
      );
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/topics/:topic_name/partitions/:partition_id',
    summary: 'Get Partition',
    params: partitionParams,
    handler: async (call, { client, urls }) => {
      const name = call.params.topic_name ?? '';
      return partitionData(urls, name, await knownPartition(client, name, intParam(call, 'partition_id')));
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/topics/:topic_name/partitions/:partition_id/replicas',
    summary: 'List Replicas',
    params: partitionParams,
    handler: async (call, { client, urls }) => {
      const name = call.params.topic_name ?? '';
      const p = await knownPartition(client, name, intParam(call, 'partition_id'));
      return collection(
        'KafkaReplicaList',
        urls.url('topics', name, 'partitions', p.partition, 'replicas'),
        p.replicas.map((brokerId) => replicaData(urls, name, p, brokerId)),
      );
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/topics/:topic_name/partitions/:partition_id/replicas/:broker_id',
    summary: 'Get Replica',
    params: { ...partitionParams, broker_id: intPathParam },
    handler: async (call, { client, urls }) => {
      const name = call.params.topic_name ?? '';
      const p = await knownPartition(client, name, intParam(call, 'partition_id'));
      const brokerId = intParam(call, 'broker_id');
      if (!p.replicas.includes(brokerId))
        throw notFound(`Replica ${brokerId} of partition ${name}-${p.partition} cannot be found.`);
      return replicaData(urls, name, p, brokerId);
    },
  });
}
