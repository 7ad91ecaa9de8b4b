/** Seeking a v2 consumer instance: to offsets or timestamps, to the beginning, to the end. */
import type { FastifyInstance } from 'fastify';
import { RestError, restErrorCodes } from '../rest-error.ts';
import type { ConsumerInstances } from './consumer-instances.ts';
import { registerInstanceRoute } from './instance-route.ts';
import { type OffsetBody, partitionsBody, seekBody, type TopicPartitionBody } from './route-schemas.ts';

interface TimestampBody extends TopicPartitionBody {
  timestamp: string | number;
}

export function registerPositionRoutes(app: FastifyInstance, instances: ConsumerInstances): void {
  registerInstanceRoute(app, instances, {
    method: 'POST',
    path: '/positions',
    summary: 'Seek held partitions to offsets, or to the first record at or after timestamps',
    body: seekBody,
    handle: async (instance, request) => {
      const body = request.body as { offsets?: OffsetBody[]; timestamps?: TimestampBody[] };
      const offsets = body.offsets ?? [];
      const timestamps = body.timestamps ?? [];
      if (offsets.length === 0 && timestamps.length === 0) {
        throw new RestError(restErrorCodes.unprocessableEntity, 'give offsets or timestamps');
      }
      await instance.seek(
        offsets.map((o) => ({ tp: { topic: o.topic, partition: o.partition }, offset: BigInt(o.offset) })),
      );
      for (const t of timestamps) {
        await instance.seekTo([{ topic: t.topic, partition: t.partition }], timestampOf(t.timestamp));
      }
      return undefined;
    },
  });

  for (const [path, timestamp, summary] of [
    ['/positions/beginning', -2n, 'Seek held partitions to their first offset'],
    ['/positions/end', -1n, 'Seek held partitions to their end (only records produced from now on are read)'],
  ] as const) {
    registerInstanceRoute(app, instances, {
      method: 'POST',
      path,
      summary,
      body: partitionsBody,
      handle: async (instance, request) => {
        const { partitions } = request.body as { partitions: TopicPartitionBody[] };
        await instance.seekTo(partitions, timestamp);
        return undefined;
      },
    });
  }
}

function timestampOf(value: string | number): bigint {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RestError(restErrorCodes.unprocessableEntity, `timestamp ${JSON.stringify(value)} is not an instant`);
  }
  return BigInt(ms);
}
