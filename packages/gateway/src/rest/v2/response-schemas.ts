/**
 * The JSON schemas of v2 metadata and produce answers (Confluent's
 * GetTopicResponse, GetPartitionResponse, TopicPartitionOffsetResponse,
 * BrokerList and ProduceResponse): /openapi.json describes the answers
 * with them, and Fastify serializes the answers by them.
 */

const errorBody = {
  description: 'An error: error_code is Confluent’s (its first three digits are the HTTP status)',
  type: 'object',
  properties: { error_code: { type: 'integer' }, message: { type: 'string' } },
} as const;

const partition = {
  type: 'object',
  properties: {
    partition: { type: 'integer' },
    leader: { type: 'integer', description: '-1 while the partition has no leader' },
    replicas: {
      type: 'array',
      items: {
        type: 'object',
        properties: { broker: { type: 'integer' }, leader: { type: 'boolean' }, in_sync: { type: 'boolean' } },
      },
    },
  },
} as const;

export const topicNamesResponse = { 200: { type: 'array', items: { type: 'string' } } } as const;

export const topicResponse = {
  200: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      configs: { type: 'object', additionalProperties: { type: 'string' } },
      partitions: { type: 'array', items: partition },
    },
  },
  404: errorBody,
} as const;

export const partitionsResponse = { 200: { type: 'array', items: partition }, 404: errorBody } as const;

export const partitionResponse = { 200: partition, 404: errorBody } as const;

export const offsetsResponse = {
  200: {
    type: 'object',
    properties: {
      beginning_offset: { type: 'integer', description: 'The log start offset' },
      end_offset: { type: 'integer', description: 'The high watermark: the offset the next record gets' },
    },
  },
  404: errorBody,
} as const;

export const brokersResponse = {
  200: { type: 'object', properties: { brokers: { type: 'array', items: { type: 'integer' } } } },
} as const;

export const produceResponse = {
  200: {
    type: 'object',
    properties: {
      offsets: {
        type: 'array',
        description: 'One entry per record, in request order',
        items: {
          type: 'object',
          properties: {
            partition: { type: ['integer', 'null'] },
            offset: { type: ['integer', 'null'] },
            error_code: {
              type: ['integer', 'null'],
              description: '50003 when Kafka refused the record with a retriable error, 50002 otherwise',
            },
            error: { type: ['string', 'null'] },
          },
        },
      },
      key_schema_id: { type: ['integer', 'null'] },
      value_schema_id: { type: ['integer', 'null'] },
    },
  },
  404: errorBody,
  415: errorBody,
  422: errorBody,
} as const;
