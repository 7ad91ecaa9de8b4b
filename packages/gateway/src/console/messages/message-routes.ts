/**
 * The message browser's endpoints under /ui/api/messages: a topic's
 * partitions with their offsets (for the page's pickers), and records read
 * by offset, by timestamp or by key, decoded through the registry, with a
 * report of what was scanned (message-reader.ts). Every query is bounded
 * (records answered, records and bytes scanned, partitions read, bytes
 * shown; message-query.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../../rest/rest-context.ts';
import type { MessagePage, MessagePartitionsAnswer, MessageTopicsAnswer } from '../message-schema-api-types.ts';
import { type MessageQueryString, messageLimits, messageStarts, parseMessageQuery } from './message-query.ts';
import { partitionCountOf, readMessages } from './message-reader.ts';

const topicParams = {
  type: 'object',
  required: ['topic'],
  properties: { topic: { type: 'string', minLength: 1, maxLength: 249 } },
} as const;

const messageQuerystring = {
  type: 'object',
  properties: {
    partitions: {
      type: 'string',
      pattern: '^[0-9]+(,[0-9]+)*$',
      maxLength: 4096,
      description: 'Comma-separated partitions to read (default all). Ignored with a key.',
    },
    start: { type: 'string', enum: messageStarts, description: 'Where reading starts (default newest).' },
    offset: { type: 'string', pattern: '^[0-9]{1,19}$', description: 'The first offset, with start=offset.' },
    timestamp: {
      type: 'integer',
      minimum: 0,
      description:
        'Milliseconds since the epoch, with start=timestamp: each partition from its first record at or after it (ListOffsets).',
    },
    key: {
      type: 'string',
      maxLength: 8192,
      description:
        "Only records with exactly this key, read from the one partition Kafka's default partitioner gives it.",
    },
    keyEncoding: {
      type: 'string',
      enum: ['utf8', 'hex'],
      description: 'How `key` gives the key bytes (default utf8).',
    },
    limit: { type: 'integer', minimum: 1, maximum: messageLimits.recordsMax, description: 'Most records answered.' },
    scanRecordsMax: {
      type: 'integer',
      minimum: 1,
      maximum: messageLimits.scanRecordsMax,
      description: `Most records scanned over all partitions (default ${messageLimits.scanRecordsDefault}).`,
    },
    scanBytesMax: {
      type: 'integer',
      minimum: 1024,
      maximum: messageLimits.scanBytesMax,
      description: `Most key, value and header bytes scanned (default ${messageLimits.scanBytesDefault}).`,
    },
  },
} as const;

export function registerMessageRoutes(app: FastifyInstance, context: RestContext): void {
  app.get(
    '/ui/api/messages',
    { schema: { summary: 'The topics the message browser can read, with their partition counts', tags: ['console'] } },
    async (): Promise<MessageTopicsAnswer> => {
      const metadata = await context.client().metadata(null, { allowAutoTopicCreation: false });
      const topics = metadata.topics
        .filter((t) => t.errorCode === 0)
        .map((t) => ({ name: t.name, partitions: t.partitions.length, internal: t.isInternal }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return { topics };
    },
  );

  app.get<{ Params: { topic: string } }>(
    '/ui/api/messages/:topic/partitions',
    {
      schema: {
        summary: "A topic's partitions with their low and high watermarks (the message browser's pickers)",
        tags: ['console'],
        params: topicParams,
      },
    },
    async (request): Promise<MessagePartitionsAnswer> => {
      const client = context.client();
      const { topic } = request.params;
      const count = await partitionCountOf(client, topic);
      const partitions = [];
      for (let partition = 0; partition < Math.min(count, messageLimits.partitionsMax); partition++) {
        const [low, high] = await Promise.all([
          client.listOffsets(topic, partition, -2n),
          client.listOffsets(topic, partition, -1n),
        ]);
        partitions.push({ partition, lowWatermark: low.offset.toString(), highWatermark: high.offset.toString() });
      }
      return { topic, partitionCount: count, partitions };
    },
  );

  app.get<{ Params: { topic: string }; Querystring: MessageQueryString }>(
    '/ui/api/messages/:topic',
    {
      schema: {
        summary: 'Records of a topic by offset, timestamp or key, decoded through the Schema Registry',
        description:
          'Keys and values in the registry wire format are decoded by their schema (Avro, JSON Schema, Protobuf); ' +
          'others are shown as JSON, text or hex. A key search reads only the partition the key maps to. ' +
          '`scans` reports, per partition read, where the scan started and stopped, what it scanned and why it stopped.',
        tags: ['console'],
        params: topicParams,
        querystring: messageQuerystring,
      },
    },
    async (request): Promise<MessagePage> => {
      const query = parseMessageQuery(request.query);
      return readMessages(context.client(), (bytes) => context.formats.decodeAny(bytes), request.params.topic, query);
    },
  );
}
