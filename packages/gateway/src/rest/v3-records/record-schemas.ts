/**
 * The OpenAPI descriptions (Fastify route schemas) of the v3 records routes.
 * The produce body is read as a stream by the handler, so its schema is
 * documentation only; the consume query is validated by Fastify.
 */

const partData = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['BINARY', 'JSON', 'STRING', 'AVRO', 'JSONSCHEMA', 'PROTOBUF'] },
    data: {},
    schema_id: { type: 'integer' },
    schema: { type: 'string' },
    subject: { type: 'string' },
    subject_name_strategy: { type: 'string', enum: ['TOPIC_NAME'] },
    schema_version: { type: 'integer' },
  },
} as const;

const clusterTopicParams = {
  type: 'object',
  required: ['cluster_id', 'topic'],
  properties: { cluster_id: { type: 'string' }, topic: { type: 'string' } },
} as const;

export const produceRouteSchema = {
  summary: 'Produce records (one, or a stream of them with Transfer-Encoding: chunked)',
  description:
    "Confluent's v3 produce. With Transfer-Encoding: chunked the body is a stream of JSON objects, one record " +
    'each, and the answer a stream of delivery reports in the same order, one JSON object per line.',
  tags: ['v3'],
  params: clusterTopicParams,
  body: {
    type: 'object',
    properties: {
      partition_id: { type: 'integer' },
      headers: {
        type: 'array',
        items: { type: 'object', properties: { name: { type: 'string' }, value: { type: ['string', 'null'] } } },
      },
      key: partData,
      value: partData,
      timestamp: { type: 'string', format: 'date-time' },
    },
  },
  response: {
    200: {
      description: 'A delivery report (a stream of them, one per line, in streaming mode)',
      type: 'object',
      properties: {
        error_code: { type: 'integer' },
        cluster_id: { type: 'string' },
        topic_name: { type: 'string' },
        partition_id: { type: 'integer' },
        offset: { type: 'integer' },
        timestamp: { type: 'string' },
        key: { type: 'object', additionalProperties: true },
        value: { type: 'object', additionalProperties: true },
        message: { type: 'string' },
      },
    },
  },
} as const;

export const consumeRouteSchema = {
  summary: 'Read records from one partition (Runnel addition), as JSON lines or server-sent events',
  description:
    'Records from an offset, or from the first offset at or after a timestamp (ms since the epoch or ISO-8601). ' +
    'Accept: text/event-stream keeps following the partition until the client disconnects.',
  tags: ['v3'],
  params: {
    type: 'object',
    required: ['cluster_id', 'topic', 'partition_id'],
    properties: {
      cluster_id: { type: 'string' },
      topic: { type: 'string' },
      partition_id: { type: 'integer', minimum: 0 },
    },
  },
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      offset: { type: 'string', pattern: '^(\\d+|earliest|latest)$' },
      timestamp: { type: 'string' },
      max_records: { type: 'integer', minimum: 1 },
      max_bytes: { type: 'integer', minimum: 1 },
      timeout_ms: { type: 'integer', minimum: 0, maximum: 60_000 },
      format: { type: 'string', enum: ['binary', 'json', 'string', 'avro', 'jsonschema', 'protobuf', 'auto'] },
    },
  },
} as const;
