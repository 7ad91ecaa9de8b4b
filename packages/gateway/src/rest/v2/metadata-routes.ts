/**
 * v2 metadata: topics, a topic with its configs and partitions, a
 * partition, a partition's beginning and end offsets, and the brokers, in
 * Confluent's shapes and with its 40401 / 40402 answers. Each request asks
 * the cluster afresh (one Metadata, plus DescribeConfigs or ListOffsets
 * where the answer needs them): the gateway keeps no metadata of its own.
 */
import type { ClusterMetadata, ConfigResult, KafkaClient } from '@runnel/client';
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { RestError, restErrorCodes, v2ContentType } from '../rest-error.ts';
import { rethrowKafkaFailure } from './kafka-failure.ts';
import {
  brokersResponse,
  offsetsResponse,
  partitionResponse,
  partitionsResponse,
  topicNamesResponse,
  topicResponse,
} from './response-schemas.ts';
import { brokerIds, partitionNumberOf, partitionView, topicNames, topicOf, topicView } from './topic-views.ts';

const tags = ['v2'];
const topicParams = {
  type: 'object',
  required: ['topic'],
  properties: { topic: { type: 'string', description: 'The topic name' } },
} as const;
const partitionParams = {
  type: 'object',
  required: ['topic', 'partition'],
  properties: {
    topic: { type: 'string', description: 'The topic name' },
    // A string, so a partition that is not a number answers 40402 (as Confluent's 404) rather than a 422.
    partition: { type: 'string', description: 'The partition number' },
  },
} as const;

interface TopicParams {
  topic: string;
}
interface PartitionParams extends TopicParams {
  partition: string;
}

/** Metadata for `topics` (null: all), never creating a topic; Kafka's refusals as v2 errors. */
export async function askMetadata(client: KafkaClient, topics: string[] | null): Promise<ClusterMetadata> {
  try {
    return await client.metadata(topics, { allowAutoTopicCreation: false });
  } catch (error) {
    return rethrowKafkaFailure(error);
  }
}

export function registerV2MetadataRoutes(app: FastifyInstance, context: RestContext): void {
  app.get(
    '/topics',
    { schema: { summary: 'List the topic names', tags, response: topicNamesResponse } },
    async (_request, reply) => {
      const metadata = await askMetadata(context.client(), null);
      return reply.type(v2ContentType).send(topicNames(metadata));
    },
  );

  app.get<{ Params: TopicParams }>(
    '/topics/:topic',
    { schema: { summary: 'A topic: its configs and partitions', tags, params: topicParams, response: topicResponse } },
    async (request, reply) => {
      const client = context.client();
      const topic = topicOf(await askMetadata(client, [request.params.topic]), request.params.topic);
      let configs: ConfigResult[];
      try {
        configs = await client.describeConfigs([{ type: 'topic', name: topic.name }]);
      } catch (error) {
        return rethrowKafkaFailure(error);
      }
      return reply.type(v2ContentType).send(topicView(topic, configs[0]?.configs ?? []));
    },
  );

  app.get<{ Params: TopicParams }>(
    '/topics/:topic/partitions',
    {
      schema: {
        summary: "A topic's partitions with their leaders and replicas",
        tags,
        params: topicParams,
        response: partitionsResponse,
      },
    },
    async (request, reply) => {
      const topic = topicOf(await askMetadata(context.client(), [request.params.topic]), request.params.topic);
      return reply.type(v2ContentType).send(topic.partitions.map(partitionView));
    },
  );

  app.get<{ Params: PartitionParams }>(
    '/topics/:topic/partitions/:partition',
    {
      schema: {
        summary: 'A partition: its leader and replicas',
        tags,
        params: partitionParams,
        response: partitionResponse,
      },
    },
    async (request, reply) => {
      const { topic: name, partition: text } = request.params;
      const topic = topicOf(await askMetadata(context.client(), [name]), name);
      const partition = partitionNumberOf(topic, text);
      const info = topic.partitions.find((p) => p.partition === partition);
      if (info === undefined) {
        throw new RestError(restErrorCodes.partitionNotFound, `Partition ${text} of topic ${name} not found.`);
      }
      return reply.type(v2ContentType).send(partitionView(info));
    },
  );

  app.get<{ Params: PartitionParams }>(
    '/topics/:topic/partitions/:partition/offsets',
    {
      schema: {
        summary: "A partition's beginning offset (log start) and end offset (high watermark)",
        tags,
        params: partitionParams,
        response: offsetsResponse,
      },
    },
    async (request, reply) => {
      const { topic: name, partition: text } = request.params;
      const client = context.client();
      const partition = partitionNumberOf(topicOf(await askMetadata(client, [name]), name), text);
      try {
        const [beginning, end] = await Promise.all([
          client.listOffsets(name, partition, -2n),
          client.listOffsets(name, partition, -1n),
        ]);
        return reply
          .type(v2ContentType)
          .send({ beginning_offset: Number(beginning.offset), end_offset: Number(end.offset) });
      } catch (error) {
        return rethrowKafkaFailure(error);
      }
    },
  );

  app.get(
    '/brokers',
    { schema: { summary: "The cluster's broker ids", tags, response: brokersResponse } },
    async (_request, reply) => {
      return reply.type(v2ContentType).send(brokerIds(await askMetadata(context.client(), [])));
    },
  );
}
