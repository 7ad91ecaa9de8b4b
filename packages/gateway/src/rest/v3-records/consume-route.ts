/**
 * GET /v3/clusters/{cluster_id}/topics/{topic}/partitions/{partition_id}/records
 * — Runnel's addition to v3 (which has no consume): records of one
 * partition from an offset, or from the first offset at or after a
 * timestamp (ListOffsets), as JSON lines (`application/x-ndjson`, up to
 * the high watermark, waiting up to `timeout_ms` when there is nothing
 * yet) or, with `Accept: text/event-stream`, server-sent events that keep
 * following the partition until the client disconnects or the gateway
 * stops. Bounded by `max_records`, `max_bytes` and a cap on open streams
 * per gateway (429 beyond it); the answer is written only as fast as the
 * client reads it.
 */
import { PassThrough } from 'node:stream';
import { type KafkaClient, KafkaError } from '@runnel/client';
import { decodeRecordBatches, ErrorCode, isControl } from '@runnel/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { RestError } from '../rest-error.ts';
import {
  type ConsumeLimits,
  type ConsumeQuery,
  defaultConsumeLimits,
  offsetForTimestamp,
  readBounds,
  startAt,
} from './consume-plan.ts';
import { failedStatus } from './kafka-status.ts';
import type { StreamAborts } from './produce-route.ts';
import { renderRecord } from './record-render.ts';
import { consumeRouteSchema } from './record-schemas.ts';
import { clusterClient, topicPartitions } from './topic-lookup.ts';

/** Idle events streams send a comment this often, so proxies keep the connection. */
const keepAliveMs = 15_000;
const fetchBytesFirst = 1024 * 1024;
/** A batch larger than this cannot be served (Kafka's consumers stop at their fetch.max.bytes likewise). */
const fetchBytesMax = 64 * 1024 * 1024;

export function registerConsumeRoute(
  app: FastifyInstance,
  context: RestContext,
  aborts: StreamAborts,
  limits: ConsumeLimits = defaultConsumeLimits,
): void {
  let open = 0;
  app.get<{ Params: { cluster_id: string; topic: string; partition_id: number }; Querystring: ConsumeQuery }>(
    '/v3/clusters/:cluster_id/topics/:topic/partitions/:partition_id/records',
    { schema: consumeRouteSchema },
    async (request, reply) => {
      const { client } = clusterClient(context, request.params.cluster_id);
      const { topic, partition_id: partition } = request.params;
      const query = request.query;
      const partitions = await topicPartitions(client, topic);
      if (partition >= partitions)
        throw new RestError(404, `Partition ${partition} of topic ${topic} cannot be found.`);
      const events = /text\/event-stream/i.test(request.headers.accept ?? '');
      const { recordsMax, bytesMax } = readBounds(query, events, limits, context.limits.consumerResponseBytesMax);
      const start = await startOffset(client, topic, partition, query);
      if (open >= limits.streamsMax)
        throw new RestError(429, `This gateway serves at most ${limits.streamsMax} record streams at once.`);
      open++;
      const controller = new AbortController();
      aborts.add(controller);
      const out = new PassThrough();
      reply.raw.on('close', () => controller.abort());
      const format = query.format ?? 'binary';
      out.on('error', () => controller.abort());
      const write = async (text: string): Promise<void> => {
        if (out.destroyed || out.writableEnded) return;
        context.metrics.restBytes('out', Buffer.byteLength(text));
        if (!out.write(text) && !controller.signal.aborted) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              out.off('drain', done);
              controller.signal.removeEventListener('abort', done);
              resolve();
            };
            out.once('drain', done);
            controller.signal.addEventListener('abort', done, { once: true });
          });
        }
      };
      // Node sends the headers with the first body bytes: an events stream says where it starts at once, so
      // the client knows it is following before any record comes.
      if (events) await write(`: ${topic}-${partition} from offset ${start}\n\n`);
      void (async () => {
        let position = start;
        let sent = 0;
        let bytes = 0;
        let lastWrite = Date.now();
        let fetchBytes = fetchBytesFirst;
        try {
          while (!controller.signal.aborted && sent < recordsMax && bytes < bytesMax) {
            const waitMs = events ? 1000 : sent === 0 ? (query.timeout_ms ?? 1000) : 0;
            const fetched = await client.fetch(topic, partition, position, { maxBytes: fetchBytes, maxWaitMs: waitMs });
            if (fetched.errorCode !== 0) throw new KafkaError(fetched.errorCode);
            const batches = await decodeRecordBatches(fetched.records);
            if (batches.length === 0 && fetched.records.length > 0) {
              // Only part of a batch came back: the next batch is larger than what was asked for.
              if (fetchBytes >= fetchBytesMax) throw new KafkaError(ErrorCode.MESSAGE_TOO_LARGE);
              fetchBytes = Math.min(fetchBytesMax, fetchBytes * 2);
              continue;
            }
            for (const batch of batches) {
              const next = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
              if (!isControl(batch.header.attributes)) {
                for (const record of batch.records) {
                  if (record.offset < position || sent >= recordsMax || bytes >= bytesMax) continue;
                  const rendered = JSON.stringify(
                    await renderRecord(context.formats, topic, partition, record, format),
                  );
                  const text = events ? `id: ${record.offset}\nevent: record\ndata: ${rendered}\n\n` : `${rendered}\n`;
                  await write(text);
                  lastWrite = Date.now();
                  sent++;
                  bytes += Buffer.byteLength(text);
                  position = record.offset + 1n;
                }
              }
              if (sent < recordsMax && bytes < bytesMax && next > position) position = next;
            }
            // JSON lines end at the high watermark, or when the wait for a first record passed with none.
            if (!events && (position >= fetched.highWatermark || (waitMs > 0 && sent === 0))) break;
            if (events && Date.now() - lastWrite >= keepAliveMs) {
              await write(': keep-alive\n\n');
              lastWrite = Date.now();
            }
          }
        } catch (error) {
          if (!controller.signal.aborted) {
            const failed = failedStatus(error);
            if (failed.status >= 500) context.logger.error({ err: error, topic, partition }, 'record stream failed');
            const line = JSON.stringify({ error_code: failed.status, message: failed.message });
            await write(events ? `event: error\ndata: ${line}\n\n` : `${line}\n`);
          }
        } finally {
          open--;
          aborts.delete(controller);
          out.end();
        }
      })();
      return sendStream(reply, out, events);
    },
  );
}

function sendStream(reply: FastifyReply, out: PassThrough, events: boolean): FastifyReply {
  // A stream's connection is not reused: one that ended while the gateway stops must not hold the stop up.
  reply.header('connection', 'close');
  if (events) reply.header('cache-control', 'no-cache').header('x-accel-buffering', 'no');
  return reply.type(events ? 'text/event-stream' : 'application/x-ndjson').send(out);
}

/** Where reading starts (consume-plan.ts decides; this asks the partition). */
async function startOffset(
  client: KafkaClient,
  topic: string,
  partition: number,
  query: ConsumeQuery,
): Promise<bigint> {
  try {
    const earliest = (await client.listOffsets(topic, partition, -2n)).offset;
    const latest = (await client.listOffsets(topic, partition, -1n)).offset;
    const start = startAt(query, earliest, latest);
    if (start.kind === 'offset') return start.offset;
    return offsetForTimestamp((await client.listOffsets(topic, partition, start.ms)).offset, latest);
  } catch (error) {
    if (error instanceof RestError) throw error;
    const failed = failedStatus(error);
    throw new RestError(failed.status, failed.message, { cause: error });
  }
}
