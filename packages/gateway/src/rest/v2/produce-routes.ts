/**
 * v2 produce: POST /topics/{topic} and POST /topics/{topic}/partitions/{p}
 * with records in one of the five embedded formats (the content type
 * says which). The request is checked whole before anything is written
 * (topic 40401, partition 40402, schemas 42201/42202, each record's key
 * and value encoded), then each partition's records go as one batch
 * (more only past the batch size bound), partitions in parallel, with
 * acks=all. Kafka's refusal of a batch is an error in its records'
 * entries, not the request's.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PartEncoder } from '../formats/embedded-formats.ts';
import type { RestContext } from '../rest-context.ts';
import { RestError, restErrorCodes, v2ContentType } from '../rest-error.ts';
import { askMetadata } from './metadata-routes.ts';
import { sendPartition } from './partition-sender.ts';
import { type EncodedRecord, planBatches } from './produce-plan.ts';
import {
  type ProduceBody,
  produceBodySchema,
  produceFormatOf,
  type SchemaSources,
  schemaSourcesOf,
} from './produce-request.ts';
import { offsetsOf, type ProduceAnswer } from './produce-results.ts';
import { produceResponse } from './response-schemas.ts';
import { partitionNumberOf, topicOf } from './topic-views.ts';

const tags = ['v2'];
const consumes = ['binary', 'json', 'avro', 'jsonschema', 'protobuf'].map((f) => `application/vnd.kafka.${f}.v2+json`);

interface TopicParams {
  topic: string;
}
interface PartitionParams extends TopicParams {
  partition: string;
}

export function registerV2ProduceRoutes(app: FastifyInstance, context: RestContext): void {
  // Where the next request's unkeyed records start, so single-record requests spread over the partitions too.
  let spread = 0;
  const nextSpread = (): number => {
    spread = (spread + 1) % 0x40000000;
    return spread;
  };
  const recordsMax = context.limits.recordsPerRequestMax;
  // The content type is checked before the body's shape, so a body of another type answers 415 rather than 422.
  const preValidation = async (request: FastifyRequest): Promise<void> => {
    produceFormatOf(request.headers['content-type']);
  };

  app.post<{ Params: TopicParams; Body: ProduceBody }>(
    '/topics/:topic',
    {
      schema: {
        summary: 'Produce records to a topic (partition: the record’s own, else by key, else spread)',
        description: `Content type: ${consumes.join(', ')}. At most ${recordsMax} records.`,
        tags,
        consumes,
        params: { type: 'object', required: ['topic'], properties: { topic: { type: 'string' } } },
        body: produceBodySchema(recordsMax, true),
        response: produceResponse,
      },
      preValidation,
    },
    async (request, reply) => {
      const answer = await produce(context, request, request.params.topic, null, nextSpread());
      return reply.type(v2ContentType).send(answer);
    },
  );

  app.post<{ Params: PartitionParams; Body: ProduceBody }>(
    '/topics/:topic/partitions/:partition',
    {
      schema: {
        summary: 'Produce records to one partition of a topic',
        description: `Content type: ${consumes.join(', ')}. At most ${recordsMax} records.`,
        tags,
        consumes,
        params: {
          type: 'object',
          required: ['topic', 'partition'],
          properties: { topic: { type: 'string' }, partition: { type: 'string' } },
        },
        body: produceBodySchema(recordsMax, false),
        response: produceResponse,
      },
      preValidation,
    },
    async (request, reply) => {
      const { topic, partition } = request.params;
      const answer = await produce(context, request, topic, partition, 0);
      return reply.type(v2ContentType).send(answer);
    },
  );
}

async function produce(
  context: RestContext,
  request: FastifyRequest<{ Body: ProduceBody }>,
  topicName: string,
  pathPartition: string | null,
  spreadStart: number,
): Promise<ProduceAnswer> {
  const format = produceFormatOf(request.headers['content-type']);
  const body = request.body;
  const sources = schemaSourcesOf(format, body);
  const client = context.client();
  const topic = topicOf(await askMetadata(client, [topicName]), topicName);
  const partitions = topic.partitions.length;
  const fixedPartition = pathPartition === null ? null : partitionNumberOf(topic, pathPartition);
  if (fixedPartition === null) {
    const outside = body.records.find((r) => r.partition !== undefined && r.partition >= partitions);
    if (outside !== undefined) {
      throw new RestError(
        restErrorCodes.partitionNotFound,
        `Partition ${outside.partition} of topic ${topicName} not found.`,
      );
    }
  }
  const [keyEncoder, valueEncoder] = await encodersOf(context, format, topicName, sources);
  // Every record is encoded before any is written: a bad one fails the request with nothing produced.
  const encoded: EncodedRecord[] = body.records.map((record) => ({
    key: keyEncoder.encode(record.key ?? null),
    value: valueEncoder.encode(record.value ?? null),
    partition: fixedPartition === null ? (record.partition ?? null) : null,
  }));
  const plans = planBatches(encoded, { partitions, fixedPartition, spreadStart });
  const outcomes = await Promise.all(plans.map((plan) => sendPartition(client, topicName, plan)));
  return {
    offsets: offsetsOf(outcomes.flat(), encoded.length),
    key_schema_id: keyEncoder.schemaId,
    value_schema_id: valueEncoder.schemaId,
  };
}

/** A part with no schema in a registry format has only null keys (values): schemaSourcesOf made sure. */
const nullsOnly: PartEncoder = { schemaId: null, encode: () => null };

function encodersOf(
  context: RestContext,
  format: ReturnType<typeof produceFormatOf>,
  topic: string,
  sources: SchemaSources,
): Promise<[PartEncoder, PartEncoder]> {
  const registry = format === 'avro' || format === 'jsonschema' || format === 'protobuf';
  const encoder = (part: 'key' | 'value'): Promise<PartEncoder> => {
    const source = sources[part];
    if (registry && source === null) return Promise.resolve(nullsOnly);
    return context.formats.encoder(format, topic, part, source);
  };
  return Promise.all([encoder('key'), encoder('value')]);
}
