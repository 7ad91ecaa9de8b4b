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
import { KafkaError } from '@runnel/client';
import { decodeRecordBatches, ErrorCode, isControl } from '@runnel/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { RestError } from '../rest-error.ts';
import { failedStatus } from './kafka-status.ts';
import type { StreamAborts } from './produce-route.ts';
import { type ConsumeFormat, renderRecord } from './record-render.ts';
import { consumeRouteSchema } from './record-schemas.ts';
import { clusterClient, topicPartitions } from './topic-lookup.ts';

export interface ConsumeLimits {
  /** Open consume streams (JSON lines and events) per gateway. */
  streamsMax: number;
  /** max_records when none is asked for (JSON lines; events follow without end). */
  recordsDefault: number;
  recordsMax: number;
  /** max_bytes when none is asked for. */
  bytesDefault: number;
}

export const defaultConsumeLimits: ConsumeLimits = {
  streamsMax: 100,
  recordsDefault: 500,
  recordsMax: 100_000,
  bytesDefault: 4 * 1024 * 1024,
};

interface ConsumeQuery {
  offset?: string;
  timestamp?: string;
  max_records?: number;
  max_bytes?: number;
  timeout_ms?: number;
  format?: ConsumeFormat;
}

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
      if (query.offset !== undefined && query.timestamp !== undefined)
        throw new RestError(400, 'Give offset or timestamp, not both.');
      const partitions = await topicPartitions(client, topic);
      if (partition >= partitions)
        throw new RestError(404, `Partition ${partition} of topic ${topic} cannot be found.`);
      const events = /text\/event-stream/i.test(request.headers.accept ?? '');
      const recordsMax = Math.min(
        query.max_records ?? (events ? Number.MAX_SAFE_INTEGER : limits.recordsDefault),
        events ? Number.MAX_SAFE_INTEGER : limits.recordsMax,
      );
      const bytesMax = Math.min(query.max_bytes ?? limits.bytesDefault, context.limits.consumerResponseBytesMax);
      const start = await startOffset(client, topic, partition, query);
      if (open >= limits.streamsMax)
        throw new RestError(429, `This gateway serves at most ${limits.streamsMax} record streams at once.`);
      open++;
      const controller = new AbortController();
      aborts.add(controller);
      const out = new PassThrough();
      reply.raw.on('close', () => controller.abort());
      const format = query.format ?? 'binary';
      const write = async (text: string): Promise<void> => {
        context.metrics.restBytes('out', Buffer.byteLength(text));
        if (!out.write(text) && !controller.signal.aborted) {
          await new Promise<void>((resolve) => {
            out.once('drain', resolve);
            controller.signal.addEventListener('abort', () => resolve(), { once: true });
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

/** Where reading starts: an offset, earliest/latest, or the first offset at or after a timestamp. */
async function startOffset(
  client: { listOffsets(t: string, p: number, ts: bigint): Promise<{ offset: bigint }> },
  topic: string,
  partition: number,
  query: ConsumeQuery,
): Promise<bigint> {
  try {
    const earliest = (await client.listOffsets(topic, partition, -2n)).offset;
    const latest = (await client.listOffsets(topic, partition, -1n)).offset;
    if (query.timestamp !== undefined) {
      const ms = /^\d+$/.test(query.timestamp) ? Number(query.timestamp) : Date.parse(query.timestamp);
      if (!Number.isFinite(ms)) throw new RestError(400, `timestamp ${query.timestamp} is not a time`);
      const found = (await client.listOffsets(topic, partition, BigInt(Math.trunc(ms)))).offset;
      // No record at or after it: start at the end, where the next one will be.
      return found < 0n ? latest : found;
    }
    if (query.offset === undefined || query.offset === 'earliest') return earliest;
    if (query.offset === 'latest') return latest;
    const offset = BigInt(query.offset);
    if (offset < earliest || offset > latest)
      throw new RestError(416, `Offset ${offset} is outside the partition's range [${earliest}, ${latest}].`);
    return offset;
  } catch (error) {
    if (error instanceof RestError) throw error;
    const failed = failedStatus(error);
    throw new RestError(failed.status, failed.message, { cause: error });
  }
}
