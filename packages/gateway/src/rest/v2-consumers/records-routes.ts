/** Reading a v2 consumer instance's records, and committing and reading its group's offsets. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { RestError, restErrorCodes } from '../rest-error.ts';
import { acceptedFormat, recordsContentType } from './accept-format.ts';
import type { ConsumerInstances } from './consumer-instances.ts';
import { registerInstanceRoute } from './instance-route.ts';
import { commitGiven, readTimeoutMs, responseBytes } from './instance-state.ts';
import { commitBody, type OffsetBody, recordsQuery, type TopicPartitionBody } from './route-schemas.ts';

/** The longest a records request waits, whatever it asks: bounds a request's hold on its instance. */
const readWaitMsMax = 60_000;

interface RecordsQuery {
  timeout?: number;
  max_bytes?: number;
}

export function registerRecordsRoutes(app: FastifyInstance, context: RestContext, instances: ConsumerInstances): void {
  const waitOf = (request: FastifyRequest) =>
    readTimeoutMs((request.query as RecordsQuery).timeout ?? null, readWaitMsMax, readWaitMsMax);

  registerInstanceRoute(app, instances, {
    method: 'GET',
    path: '/records',
    summary: "Read records in the instance's embedded format (the Accept header must name it)",
    querystring: recordsQuery,
    waitMs: waitOf,
    contentType: (instance) => recordsContentType(instance.definition.format),
    handle: async (instance, request) => {
      const { format, config } = instance.definition;
      if (acceptedFormat(request.headers.accept) !== format) {
        throw new RestError(
          restErrorCodes.consumerFormatMismatch,
          'The requested embedded data format does not match the deserializer for this consumer instance',
        );
      }
      const query = request.query as RecordsQuery;
      return instance.read({
        timeoutMs: readTimeoutMs(query.timeout ?? null, config.requestTimeoutMs, readWaitMsMax),
        maxBytes: responseBytes(query.max_bytes ?? null, context.limits.consumerResponseBytesMax),
      });
    },
  });

  registerInstanceRoute(app, instances, {
    method: 'POST',
    path: '/offsets',
    summary: 'Commit the given offsets (each the last record read), or with no body everything read so far',
    body: commitBody,
    handle: async (instance, request) => {
      const body = request.body as { offsets?: OffsetBody[] } | null | undefined;
      const given = body?.offsets;
      await instance.commit(
        given === undefined || given.length === 0
          ? null
          : commitGiven(given.map((o) => ({ ...o, offset: BigInt(o.offset), metadata: o.metadata ?? null }))),
      );
      // Confluent answers 200 with an empty list (its commit response is a list it never fills).
      return [];
    },
  });

  registerInstanceRoute(app, instances, {
    method: 'GET',
    path: '/offsets',
    summary: "The group's committed offsets of the given partitions (named in the GET's body, as Confluent's)",
    getBody: true,
    handle: async (instance, request) => {
      // Fastify takes no body schema on a GET: checked here.
      const partitions = partitionsOf(request.body);
      const committed = await instance.committed(partitions);
      return {
        offsets: committed.map((o) => ({
          topic: o.topic,
          partition: o.partition,
          offset: Number(o.offset),
          metadata: o.metadata ?? '',
        })),
      };
    },
  });
}

function partitionsOf(body: unknown): TopicPartitionBody[] {
  const partitions = (body as { partitions?: unknown } | null | undefined)?.partitions;
  const valid =
    Array.isArray(partitions) &&
    partitions.length <= 10_000 &&
    partitions.every(
      (p: unknown) =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as TopicPartitionBody).topic === 'string' &&
        Number.isInteger((p as TopicPartitionBody).partition) &&
        (p as TopicPartitionBody).partition >= 0,
    );
  if (!valid) {
    // Confluent answers a missing body with 40402 (partition not found); a malformed one is unprocessable.
    if (partitions === undefined) throw new RestError(restErrorCodes.partitionNotFound, 'Partition not found.');
    throw new RestError(restErrorCodes.unprocessableEntity, 'partitions must be a list of {topic, partition}');
  }
  return partitions as TopicPartitionBody[];
}
