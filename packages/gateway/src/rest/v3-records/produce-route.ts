/**
 * POST /v3/clusters/{cluster_id}/topics/{topic}/records — Confluent's v3
 * produce. The route lives in its own Fastify scope whose only content-type
 * parser hands the raw request stream to the handler, so a streamed body is
 * never buffered whole. A body sent with `Transfer-Encoding: chunked` is a
 * stream of records and answers a stream of delivery reports (HTTP 200,
 * one JSON object per line, in the records' order); a body with a length
 * holding one record answers its report with the report's status; several
 * records in a body with a length are answered as a stream too.
 */
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import type { KafkaClient } from '@runnel/client';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { RestError, restErrorCodes } from '../rest-error.ts';
import { PartEncoders } from './part-encoders.ts';
import { PartitionBatcher } from './partition-batcher.ts';
import { type DeliveryReport, ProduceStream } from './produce-stream.ts';
import { produceRouteSchema } from './record-schemas.ts';
import { clusterClient, TopicPartitionCache } from './topic-lookup.ts';

/** How a produce request is paced and bounded. */
export interface ProduceLimits {
  /** Reports pending (records read and not yet answered) before reading the body stops. */
  inFlightRecordsMax: number;
  /** Bytes of those records (as JSON) before reading the body stops. */
  inFlightBytesMax: number;
  /** Bytes of one Produce request's batch per partition. */
  batchBytesMax: number;
  /** Produce requests in flight per partition. */
  inFlightPerPartition: number;
  /** Records one streamed request may carry. */
  streamRecordsMax: number;
}

export const defaultProduceLimits: ProduceLimits = {
  inFlightRecordsMax: 20_000,
  inFlightBytesMax: 64 * 1024 * 1024,
  batchBytesMax: 1024 * 1024,
  inFlightPerPartition: 5,
  streamRecordsMax: 100_000_000,
};

/** Topics with a shared batcher kept at once (an idle batcher holds nothing but its map entry). */
const sharedBatchersMax = 1000;

const jsonType = /^application\/json(?:\s*;.*)?$/i;

/** Streams open on this gateway, aborted (with stopReason) when it stops. */
export type StreamAborts = Set<AbortController>;

export const stopReason = 'the gateway is stopping';

export function registerProduceRoute(
  scope: FastifyInstance,
  context: RestContext,
  aborts: StreamAborts,
  limits: ProduceLimits = defaultProduceLimits,
): void {
  const topics = new TopicPartitionCache();
  // Requests with a body of known length share one batcher per topic: concurrent ones leave in one Produce.
  const shared = new Map<string, { client: KafkaClient; batcher: PartitionBatcher }>();
  const sharedBatcher = (client: KafkaClient, topic: string): PartitionBatcher => {
    const known = shared.get(topic);
    // A batcher sends through the client it was made with: a new client (the link reconnected) gets a new one.
    if (known !== undefined && known.client === client) return known.batcher;
    if (shared.size >= sharedBatchersMax) shared.clear();
    const batcher = new PartitionBatcher(client, topic, limits);
    shared.set(topic, { client, batcher });
    return batcher;
  };
  scope.removeAllContentTypeParsers();
  // The body stays a stream: the handler reads it record by record.
  scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  scope.post<{ Params: { cluster_id: string; topic: string } }>(
    '/v3/clusters/:cluster_id/topics/:topic/records',
    { schema: produceRouteSchema, validatorCompiler: () => () => true },
    async (request, reply) => {
      const body = request.body as Readable | undefined;
      let partitions: number;
      let client: KafkaClient;
      let clusterId: string;
      try {
        const contentType = request.headers['content-type'];
        if (contentType !== undefined && !jsonType.test(contentType))
          throw new RestError(restErrorCodes.unsupportedMediaType, `HTTP 415 Unsupported Media Type: ${contentType}`);
        ({ client, clusterId } = clusterClient(context, request.params.cluster_id));
        partitions = await topics.partitions(client, request.params.topic);
      } catch (error) {
        // Refused before its body was read: the connection ends with the answer rather than waiting on a body
        // nobody reads (which would also hold a stopping gateway up).
        reply.header('connection', 'close');
        body?.resume();
        throw error;
      }
      const topic = request.params.topic;
      const chunked = /chunked/i.test(request.headers['transfer-encoding'] ?? '');
      if (body === undefined) throw new RestError(400, 'The request body is empty: it must hold a record.');
      const controller = new AbortController();
      const open = (
        recordsMax: number,
        batcher: PartitionBatcher,
        emit: (ready: DeliveryReport[]) => boolean,
      ): ProduceStream =>
        new ProduceStream({
          clusterId,
          topic,
          partitions,
          inFlightRecordsMax: limits.inFlightRecordsMax,
          inFlightBytesMax: limits.inFlightBytesMax,
          recordBytesMax: context.limits.bodyBytesMax,
          recordsMax,
          batcher,
          encoders: new PartEncoders(context.formats, context.registry, topic),
          emit,
        });
      if (chunked)
        return streamReports(
          reply,
          context,
          (emit) => open(limits.streamRecordsMax, new PartitionBatcher(client, topic, limits), emit),
          body,
          controller,
          aborts,
        );
      // A body with a length is bounded by the body limit; it is read whole, then produced.
      let whole: Buffer;
      try {
        whole = await readWhole(body, context.limits.bodyBytesMax);
      } catch (error) {
        // The rest of a body over the limit is not read: the connection ends with the answer.
        reply.header('connection', 'close');
        body.resume();
        throw error;
      }
      const reports: DeliveryReport[] = [];
      const stream = open(context.limits.recordsPerRequestMax, sharedBatcher(client, topic), (ready) => {
        reports.push(...ready);
        return true;
      });
      await stream.run([whole], controller.signal);
      if (reports.length === 0) throw new RestError(400, 'The request body is empty: it must hold a record.');
      if (reports.length === 1) {
        const [report] = reports;
        return reply
          .code(report?.error_code ?? 500)
          .type('application/json')
          .send(report);
      }
      return reply.type('application/json').send(reports.map((r) => JSON.stringify(r)).join('\n'));
    },
  );
}

/** Answers the stream: reports are written as they are released, and the body is read as the answer drains. */
function streamReports(
  reply: FastifyReply,
  context: RestContext,
  open: (emit: (ready: DeliveryReport[]) => boolean) => ProduceStream,
  body: Readable,
  controller: AbortController,
  aborts: StreamAborts,
): FastifyReply {
  const out = new PassThrough();
  const metrics = context.metrics;
  // One write per release of reports; false from write() pauses reading until the answer drains.
  const emitInto = (ready: DeliveryReport[]): boolean => {
    // Reports of records still in flight arrive after the client went away: they have nowhere to go.
    if (out.destroyed || out.writableEnded) return true;
    let text = '';
    for (const report of ready) text += `${JSON.stringify(report)}\n`;
    metrics.restBytes('out', Buffer.byteLength(text));
    return out.write(text);
  };
  const stream = open(emitInto);
  // The answer's errors are the client's connection going away, which the 'close' listener below handles.
  out.on('error', () => controller.abort());
  out.on('drain', () => stream.wake());
  aborts.add(controller);
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  const counted = countBytesIn(body, (bytes) => metrics.restBytes('in', bytes));
  stream
    .run(counted, controller.signal)
    .catch((error: unknown) => {
      context.logger.error({ err: error }, 'streamed produce failed');
      if (!controller.signal.aborted) emitInto([{ error_code: 500, message: 'Internal Server Error' }]);
    })
    .finally(() => {
      aborts.delete(controller);
      out.end();
      if (controller.signal.aborted) body.destroy();
    });
  // A stream's connection is not reused: one that ended while the gateway stops must not hold the stop up.
  return reply.type('application/json').header('connection', 'close').send(out);
}

async function* countBytesIn(body: Readable, count: (bytes: number) => void): AsyncIterable<Buffer> {
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    count(buffer.length);
    yield buffer;
  }
}

async function readWhole(body: Readable, bytesMax: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    bytes += buffer.length;
    if (bytes > bytesMax) throw new RestError(413, `The request body is larger than ${bytesMax} bytes.`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
