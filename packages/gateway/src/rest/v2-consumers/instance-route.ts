/**
 * Registers a route on one consumer instance (`/consumers/{group}/instances/{instance}/...`): the instance is
 * found where it lives (ConsumerInstances.serve: here, forwarded to its owner, or taken over) and the handler's
 * result is the v2 answer (JSON in v2's content type, or 204 for undefined).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { RestError, restErrorCodes } from '../rest-error.ts';
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
  /** A GET with a JSON body (Confluent's GET .../offsets): Fastify parses none for GET, so it is read here. */
  readonly getBody?: boolean;
}

/** Largest GET body read (a list of partitions). */
const getBodyBytesMax = 1024 * 1024;

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
    ...(route.getBody === true ? { preValidation: readGetBody } : {}),
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

async function readGetBody(request: FastifyRequest): Promise<void> {
  // Parsed already (a Fastify that parses GET bodies): the stream is consumed.
  if (request.body !== undefined) return;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > getBodyBytesMax) throw new RestError(restErrorCodes.badRequest, 'the request body is too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return;
  try {
    request.body = JSON.parse(text);
  } catch (error) {
    throw new RestError(restErrorCodes.badRequest, `Invalid JSON body: ${(error as Error).message}`);
  }
}
