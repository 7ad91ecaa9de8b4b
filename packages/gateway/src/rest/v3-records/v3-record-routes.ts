/**
 * REST Proxy v3 records: produce (one record, or a stream of them with
 * delivery reports streamed back in order; produce-route.ts) and consume
 * (from a partition by offset or timestamp, as JSON lines or server-sent
 * events; consume-route.ts). Streams still open when the gateway stops are
 * ended before its listener closes, so stopping never waits on a client.
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { registerConsumeRoute } from './consume-route.ts';
import { registerProduceRoute, type StreamAborts, stopReason } from './produce-route.ts';

export function registerV3RecordRoutes(app: FastifyInstance, context: RestContext): void {
  const aborts: StreamAborts = new Set();
  const abortAll = async (): Promise<void> => {
    for (const controller of aborts) controller.abort(stopReason);
  };
  app.addHook('preClose', abortAll);
  context.onStop(abortAll);
  // Its own scope: the produce route's content-type parser (the raw body stream) must not reach other routes.
  app.register(async (scope) => registerProduceRoute(scope, context, aborts));
  registerConsumeRoute(app, context, aborts);
}
