/**
 * Registers a route on one consumer instance (`/consumers/{group}/instances/{instance}/...`): the instance is
 * found where it lives (ConsumerInstances.serve: here, forwarded to its owner, or taken over) and the handler's
 * result is the v2 answer (JSON in v2's content type, or 204 for undefined).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { ConsumerInstance } from './consumer-instance.ts';
import { type ConsumerInstances, sendV2 } from './consumer-instances.ts';
import { type InstanceParams, instanceParams, tags } from './route-schemas.ts';

export interface InstanceRoute {
  readonly method: HTTPMethods;
  /** The path below the instance, '' for the instance itself. */
  readonly path: string;
  readonly summary: string;
  readonly body?: object;
  readonly querystring?: object;
  /** How long the operation may wait (a records request's timeout), so a forward waits as long. */
  readonly waitMs?: (request: FastifyRequest) => number;
  /** The answer's content type, when not v2's. */
  readonly contentType?: (instance: ConsumerInstance, request: FastifyRequest) => string;
  readonly handle: (instance: ConsumerInstance, request: FastifyRequest) => Promise<unknown>;
}

export function registerInstanceRoute(app: FastifyInstance, instances: ConsumerInstances, route: InstanceRoute): void {
  app.route({
    method: route.method,
    url: `/consumers/:group/instances/:instance${route.path}`,
    schema: {
      tags,
      summary: route.summary,
      params: instanceParams,
      ...(route.body === undefined ? {} : { body: route.body }),
      ...(route.querystring === undefined ? {} : { querystring: route.querystring }),
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const params = request.params as InstanceParams;
      let contentType: string | undefined;
      const served = await instances.serve(
        request,
        reply,
        params,
        async (instance) => {
          const body = await route.handle(instance, request);
          contentType = route.contentType?.(instance, request);
          return body;
        },
        route.waitMs?.(request) ?? 0,
      );
      if (served.forwarded) return reply;
      return sendV2(reply, served.value, contentType);
    },
  });
}
