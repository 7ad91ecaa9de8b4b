/**
 * Topics: list, create (partitions_count, replication_factor,
 * replicas_assignments, configs, validate_only), get, PATCH
 * partitions_count (CreatePartitions) and delete. A created topic answers
 * 201 (200 for validate_only, which creates nothing) with the counts the
 * broker reports.
 */
import { ClusterAdmin, type KafkaClient, type TopicInfo } from '@runnel/client';
import { ErrorCode } from '@runnel/protocol';
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { kafkaRestError, throwUnlessNone } from './v3-kafka-errors.ts';
import { type CreateTopicBody, newTopicFrom } from './v3-requests.ts';
import { collection } from './v3-resources.ts';
import { stringPathParam, v3Route } from './v3-route-kit.ts';
import { topicData, topicSummary } from './v3-shapes.ts';

/** The topic's metadata; 404 (40403) when the cluster does not know it. Never creates it. */
export async function knownTopic(client: KafkaClient, name: string): Promise<TopicInfo> {
  const topic = (await client.metadata([name], { allowAutoTopicCreation: false })).topics.find((t) => t.name === name);
  const code = topic?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  // A topic still electing leaders is known: its partitions are listed with their own codes.
  if (topic === undefined || (code !== ErrorCode.NONE && topic.partitions.length === 0))
    throw kafkaRestError(code, null, `topic ${name}`);
  return topic;
}

const topicParams = { topic_name: stringPathParam };

const createTopicSchema = {
  type: 'object',
  required: ['topic_name'],
  properties: {
    topic_name: { type: 'string', minLength: 1 },
    partitions_count: { type: 'integer', minimum: 1 },
    replication_factor: { type: 'integer', minimum: 1 },
    replicas_assignments: {
      type: 'array',
      items: {
        type: 'object',
        required: ['partition_id', 'broker_ids'],
        properties: {
          partition_id: { type: 'integer', minimum: 0 },
          broker_ids: { type: 'array', items: { type: 'integer' }, minItems: 1 },
        },
      },
    },
    configs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string', minLength: 1 }, value: { type: ['string', 'null'] } },
      },
    },
    validate_only: { type: 'boolean' },
  },
};

export function registerTopicRoutes(app: FastifyInstance, context: RestContext): void {
  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/topics',
    summary: 'List Topics',
    handler: async (_call, { client, urls }) => {
      const topics = (await client.metadata(null)).topics
        .filter((t) => t.errorCode === ErrorCode.NONE || t.partitions.length > 0)
        .sort((a, b) => a.name.localeCompare(b.name));
      return collection(
        'KafkaTopicList',
        urls.url('topics'),
        topics.map((t) => topicData(urls, topicSummary(t))),
      );
    },
  });

  v3Route(app, context, {
    method: 'POST',
    url: '/v3/clusters/:cluster_id/topics',
    summary: 'Create Topic (201; 200 with validate_only, which creates nothing)',
    body: createTopicSchema,
    handler: async (call, { client, urls }) => {
      const body = call.body as CreateTopicBody;
      const validateOnly = body.validate_only ?? false;
      const [result] = await client.createTopics([newTopicFrom(body)], { validateOnly });
      if (result === undefined) throw kafkaRestError(ErrorCode.UNKNOWN_SERVER_ERROR, null, 'CreateTopics');
      throwUnlessNone(result.errorCode, result.errorMessage, `topic ${body.topic_name}`);
      const assigned = body.replicas_assignments ?? [];
      const partitionsCount = positive(result.numPartitions) ?? body.partitions_count ?? assigned.length;
      const replicationFactor =
        positive(result.replicationFactor) ?? body.replication_factor ?? assigned[0]?.broker_ids.length ?? 0;
      call.reply.code(validateOnly ? 200 : 201);
      return topicData(urls, { name: body.topic_name, isInternal: false, partitionsCount, replicationFactor });
    },
  });

  v3Route(app, context, {
    method: 'GET',
    url: '/v3/clusters/:cluster_id/topics/:topic_name',
    summary: 'Get Topic',
    params: topicParams,
    handler: async (call, { client, urls }) =>
      topicData(urls, topicSummary(await knownTopic(client, call.params.topic_name ?? ''))),
  });

  v3Route(app, context, {
    method: 'PATCH',
    url: '/v3/clusters/:cluster_id/topics/:topic_name',
    summary: 'Update partition count (grows the topic to partitions_count)',
    params: topicParams,
    body: {
      type: 'object',
      required: ['partitions_count'],
      properties: { partitions_count: { type: 'integer', minimum: 1 } },
    },
    handler: async (call, { client, urls }) => {
      const name = call.params.topic_name ?? '';
      const count = (call.body as { partitions_count: number }).partitions_count;
      await knownTopic(client, name);
      const outcome = await new ClusterAdmin(client).createPartitions(name, count);
      throwUnlessNone(outcome.errorCode, outcome.errorMessage, `topic ${name}`);
      const grown = topicSummary(await knownTopic(client, name));
      return topicData(urls, { ...grown, partitionsCount: Math.max(grown.partitionsCount, count) });
    },
  });

  v3Route(app, context, {
    method: 'DELETE',
    url: '/v3/clusters/:cluster_id/topics/:topic_name',
    summary: 'Delete Topic (204)',
    params: topicParams,
    handler: async (call, { client }) => {
      const name = call.params.topic_name ?? '';
      const [result] = await client.deleteTopics([name]);
      if (result === undefined) throw kafkaRestError(ErrorCode.UNKNOWN_SERVER_ERROR, null, 'DeleteTopics');
      throwUnlessNone(result.errorCode, result.errorMessage, `topic ${name}`);
      call.reply.code(204).send();
      return undefined;
    },
  });
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined;
}
