/** Reading a v2 consumer instance's records, and committing and reading its group's offsets. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { RestError, restErrorCodes } from '../rest-error.ts';
import { acceptedFormat, recordsContentType } from './accept-format.ts';
import type { ConsumerInstances } from './consumer-instances.ts';
import { registerInstanceRoute } from './instance-route.ts';
import { commitGiven, readTimeoutMs, responseBytes } from './instance-state.ts';
import { commitBody, type OffsetBody, partitionsBody, recordsQuery, type TopicPartitionBody } from './route-schemas.ts';

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
      return undefined;
    },
  });

  registerInstanceRoute(app, instances, {
    method: 'GET',
    path: '/offsets',
    summary: "The group's committed offsets of the given partitions",
    body: partitionsBody,
    handle: async (instance, request) => {
      const { partitions } = request.body as { partitions: TopicPartitionBody[] };
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
