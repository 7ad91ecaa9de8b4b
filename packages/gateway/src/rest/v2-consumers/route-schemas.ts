/**
 * JSON schemas of the v2 consumer routes (Fastify validates bodies with them
 * and @fastify/swagger describes them at /openapi.json). Bodies that fail
 * validation answer 422 through the REST app's error handler.
 */

export const tags = ['v2'];

export const groupParams = {
  type: 'object',
  required: ['group'],
  properties: { group: { type: 'string', minLength: 1 } },
} as const;

export const instanceParams = {
  type: 'object',
  required: ['group', 'instance'],
  properties: { group: { type: 'string', minLength: 1 }, instance: { type: 'string', minLength: 1 } },
} as const;

const topicPartition = {
  type: 'object',
  required: ['topic', 'partition'],
  properties: { topic: { type: 'string', minLength: 1 }, partition: { type: 'integer', minimum: 0 } },
} as const;

/** Bounds the partitions one request may name (each costs a lookup or a fetch). */
const partitionsMax = 10_000;

export const partitionsBody = {
  type: 'object',
  required: ['partitions'],
  properties: { partitions: { type: 'array', items: topicPartition, maxItems: partitionsMax } },
} as const;

const partitionOffset = {
  type: 'object',
  required: ['topic', 'partition', 'offset'],
  properties: {
    topic: { type: 'string', minLength: 1 },
    partition: { type: 'integer', minimum: 0 },
    offset: { type: 'integer', minimum: 0 },
    metadata: { type: ['string', 'null'] },
  },
} as const;

const partitionTimestamp = {
  type: 'object',
  required: ['topic', 'partition', 'timestamp'],
  properties: {
    topic: { type: 'string', minLength: 1 },
    partition: { type: 'integer', minimum: 0 },
    // Confluent takes an ISO-8601 instant here; epoch milliseconds are accepted too.
    timestamp: { type: ['string', 'integer'] },
  },
} as const;

export const seekBody = {
  type: 'object',
  properties: {
    offsets: { type: 'array', items: partitionOffset, maxItems: partitionsMax },
    timestamps: { type: 'array', items: partitionTimestamp, maxItems: partitionsMax },
  },
} as const;

export const commitBody = {
  type: ['object', 'null'],
  properties: { offsets: { type: 'array', items: partitionOffset, maxItems: partitionsMax } },
} as const;

export const subscriptionBody = {
  type: 'object',
  properties: {
    topics: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: partitionsMax },
    topic_pattern: { type: 'string', minLength: 1 },
  },
} as const;

export const createBody = {
  type: ['object', 'null'],
  properties: {
    name: { type: 'string' },
    format: { type: 'string' },
    'auto.offset.reset': { type: 'string' },
    'auto.commit.enable': { type: ['string', 'boolean'] },
    'fetch.min.bytes': { type: ['string', 'integer'] },
    'consumer.request.timeout.ms': { type: ['string', 'integer'] },
  },
} as const;

export const recordsQuery = {
  type: 'object',
  properties: { timeout: { type: 'integer' }, max_bytes: { type: 'integer' } },
} as const;

export interface InstanceParams {
  group: string;
  instance: string;
}

export interface TopicPartitionBody {
  topic: string;
  partition: number;
}

export interface OffsetBody extends TopicPartitionBody {
  offset: number;
  metadata?: string | null;
}
