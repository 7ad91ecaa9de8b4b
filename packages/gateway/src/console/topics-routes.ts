/**
 * The console's topics: GET /ui/api/topics (each topic's partitions,
 * replication, size on disk from DescribeLogDirs, and throughput from the
 * rate sampler), POST /ui/api/topics (create), GET /ui/api/topics/{topic}
 * (partitions with leader, ISR and offsets; configs) and POST
 * /ui/api/topics/{topic}/configs (set or delete topic configs).
 */
import { ConfigAdmin, type KafkaClient } from '@runnel/client';
import { ErrorCode } from '@runnel/protocol';
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest/rest-context.ts';
import { RestError } from '../rest/rest-error.ts';
import { leaderSize } from './cluster-health.ts';
import { readLogDirSizes } from './cluster-reads.ts';
import type { CreateTopicBody, PartitionRow, TopicAnswer, TopicRow, TopicsAnswer } from './console-api-types.ts';
import type { RateSampler } from './rate-sampler.ts';

const topicParams = {
  type: 'object',
  properties: { topic: { type: 'string', minLength: 1 } },
  required: ['topic'],
} as const;

export function registerTopicRoutes(app: FastifyInstance, context: RestContext, rates: RateSampler): void {
  app.get(
    '/ui/api/topics',
    { schema: { summary: 'Topics with partitions, replication, size and throughput', tags: ['console'] } },
    async (): Promise<TopicsAnswer> => {
      const client = context.client();
      const metadata = await client.metadata(null);
      const [logDirs, throughput] = await Promise.all([readLogDirSizes(client, metadata, null), rates.rates()]);
      const topics: TopicRow[] = metadata.topics
        .filter((t) => t.errorCode === 0)
        .map((t) => {
          let size: number | null = null;
          for (const p of t.partitions) {
            const bytes = leaderSize(logDirs.sizes, t.name, p.partition, p.leader);
            if (bytes !== null) size = (size ?? 0) + bytes;
          }
          const rate = throughput.topics[t.name];
          return {
            name: t.name,
            internal: t.isInternal,
            partitions: t.partitions.length,
            replicationFactor: Math.max(0, ...t.partitions.map((p) => p.replicas.length)),
            underReplicated: t.partitions.filter((p) => p.leader >= 0 && p.isr.length < p.replicas.length).length,
            offline: t.partitions.filter((p) => p.leader < 0).length,
            sizeBytes: size,
            messagesInPerSec: rate?.messagesInPerSec ?? (throughput.total.messagesInPerSec === null ? null : 0),
            messagesOutPerSec: rate?.messagesOutPerSec ?? (throughput.total.messagesOutPerSec === null ? null : 0),
          };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
      return { topics, ratesSource: throughput.source };
    },
  );

  app.post<{ Body: CreateTopicBody }>(
    '/ui/api/topics',
    {
      schema: {
        summary: 'Create a topic',
        tags: ['console'],
        body: {
          type: 'object',
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 249 },
            partitions: { type: 'integer', minimum: 1, maximum: 100000 },
            replicationFactor: { type: 'integer', minimum: 1, maximum: 32767 },
            configs: { type: 'object', additionalProperties: { type: 'string' } },
          },
          required: ['name'],
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const { name, partitions, replicationFactor, configs } = request.body;
      const [result] = await context.client().createTopics([
        {
          name,
          ...(partitions === undefined ? {} : { numPartitions: partitions }),
          ...(replicationFactor === undefined ? {} : { replicationFactor }),
          ...(configs === undefined ? {} : { configs }),
        },
      ]);
      if (result === undefined) throw new RestError(500, 'the cluster did not answer for the topic');
      if (result.errorCode !== ErrorCode.NONE) {
        const status = result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS ? 409 : 400;
        throw new RestError(status, result.errorMessage ?? `${result.errorName}: the topic was not created`);
      }
      return reply.code(201).send({ name });
    },
  );

  app.get<{ Params: { topic: string } }>(
    '/ui/api/topics/:topic',
    { schema: { summary: "A topic's partitions, offsets and configs", tags: ['console'], params: topicParams } },
    async (request): Promise<TopicAnswer> => {
      const client = context.client();
      const { topic } = request.params;
      const metadata = await client.metadata([topic]);
      const info = metadata.topics.find((t) => t.name === topic);
      if (info === undefined || info.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        throw new RestError(404, `Topic ${topic} not found.`);
      }
      const [logDirs, described] = await Promise.all([
        readLogDirSizes(client, metadata, [topic]),
        new ConfigAdmin(client).describe('topic', topic),
      ]);
      const partitions: PartitionRow[] = await Promise.all(
        [...info.partitions]
          .sort((a, b) => a.partition - b.partition)
          .map(async (p) => ({
            partition: p.partition,
            leader: p.leader,
            leaderEpoch: p.leaderEpoch,
            replicas: p.replicas,
            isr: p.isr,
            offlineReplicas: p.offlineReplicas,
            earliestOffset: await offsetOrNull(client, topic, p.partition, -2n),
            latestOffset: await offsetOrNull(client, topic, p.partition, -1n),
            sizeBytes: leaderSize(logDirs.sizes, topic, p.partition, p.leader),
          })),
      );
      return {
        name: topic,
        topicId: info.topicId,
        internal: info.isInternal,
        partitions,
        configs: described.configs
          .map((c) => ({
            name: c.name,
            value: c.sensitive ? null : c.value,
            source: c.source,
            isDefault: c.isDefault,
            readOnly: c.readOnly,
            sensitive: c.sensitive,
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      };
    },
  );

  app.post<{ Params: { topic: string }; Body: { set?: Record<string, string>; delete?: string[] } }>(
    '/ui/api/topics/:topic/configs',
    {
      schema: {
        summary: "Set or delete a topic's configs (IncrementalAlterConfigs)",
        tags: ['console'],
        params: topicParams,
        body: {
          type: 'object',
          properties: {
            set: { type: 'object', additionalProperties: { type: 'string' } },
            delete: { type: 'array', items: { type: 'string', minLength: 1 } },
          },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const changes = [
        ...Object.entries(request.body.set ?? {}).map(([name, value]) => ({ name, op: 'set' as const, value })),
        ...(request.body.delete ?? []).map((name) => ({ name, op: 'delete' as const })),
      ];
      if (changes.length === 0) throw new RestError(400, 'No config to set or delete.');
      const result = await new ConfigAdmin(context.client()).alter('topic', request.params.topic, changes);
      if (result.errorCode !== ErrorCode.NONE) {
        const status = result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? 404 : 400;
        throw new RestError(status, result.errorMessage ?? result.errorName);
      }
      return reply.code(204).send();
    },
  );
}

async function offsetOrNull(client: KafkaClient, topic: string, partition: number, at: bigint): Promise<number | null> {
  try {
    return Number((await client.listOffsets(topic, partition, at)).offset);
  } catch {
    return null;
  }
}
