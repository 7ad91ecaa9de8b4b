/**
 * How every v3 route is registered: its Fastify schema (tag 'v3', so
 * /openapi.json describes it), the cluster check every path under
 * /v3/clusters/{cluster_id} starts with (an unknown id is 404 "Cluster X
 * cannot be found.", as Confluent answers), and Confluent's answers to bad
 * input: a path parameter that does not parse is 404 (JAX-RS cannot match
 * the resource), a query parameter 400, a body that breaks its schema 422.
 * A Kafka or connection error a handler lets through is mapped as
 * Confluent maps Kafka exceptions (v3-kafka-errors.ts).
 */
import type { KafkaClient } from '@runnel/client';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { RestError, restErrorCodes } from '../rest-error.ts';
import { asV3Error } from './v3-kafka-errors.ts';
import { requestBase, V3Urls } from './v3-resources.ts';

/** What a v3 handler works with for one request under one cluster. */
export interface V3Scope {
  readonly client: KafkaClient;
  readonly clusterId: string;
  readonly urls: V3Urls;
}

export interface V3Call {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  readonly reply: FastifyReply;
  readonly request: FastifyRequest;
}

export interface V3RouteSpec {
  method: HTTPMethods;
  url: string;
  summary: string;
  params?: Record<string, object>;
  querystring?: Record<string, object>;
  body?: object;
  /** False for the two routes above any one cluster (/v3/clusters). Default true. */
  underCluster?: boolean;
  /** The answer's body; undefined means the handler sent the reply itself (e.g. 204). */
  handler: (call: V3Call, scope: V3Scope) => Promise<unknown>;
}

const clusterIdParam = { cluster_id: { type: 'string', description: 'The Kafka cluster ID.' } };

export function v3Route(app: FastifyInstance, context: RestContext, spec: V3RouteSpec): void {
  const underCluster = spec.underCluster ?? true;
  const params = { ...(underCluster ? clusterIdParam : {}), ...spec.params };
  const schema = {
    summary: spec.summary,
    tags: ['v3'],
    ...(Object.keys(params).length > 0
      ? { params: { type: 'object', properties: params, required: Object.keys(params) } }
      : {}),
    ...(spec.querystring === undefined ? {} : { querystring: { type: 'object', properties: spec.querystring } }),
    ...(spec.body === undefined ? {} : { body: spec.body }),
  };
  app.route({
    method: spec.method,
    url: spec.url,
    schema,
    attachValidation: true,
    handler: async (request, reply) => {
      rejectInvalid(request);
      const call: V3Call = {
        params: request.params as Record<string, string>,
        query: (request.query ?? {}) as Record<string, unknown>,
        body: request.body,
        reply,
        request,
      };
      const scope = v3Scope(context, request, underCluster ? (call.params.cluster_id ?? '') : null);
      let answer: unknown;
      try {
        answer = await spec.handler(call, scope);
      } catch (error) {
        throw asV3Error(error);
      }
      if (answer === undefined) return reply;
      return reply.header('content-type', 'application/json').send(answer);
    },
  });
}

/** The scope of one request; `clusterId` null for routes above any one cluster. */
function v3Scope(context: RestContext, request: FastifyRequest, asked: string | null): V3Scope {
  const client = context.client();
  const clusterId = context.clusterId() ?? '';
  if (asked !== null && asked !== clusterId) throw new RestError(404, `Cluster ${asked} cannot be found.`);
  const base = requestBase(request.protocol, request.headers.host, context.advertisedUrl);
  return { client, clusterId, urls: new V3Urls(base, clusterId) };
}

function rejectInvalid(request: FastifyRequest): void {
  const failed = request.validationError;
  if (failed === undefined) return;
  const where = (failed as { validationContext?: string }).validationContext;
  if (where === 'params') throw new RestError(404, `HTTP 404 Not Found: ${failed.message}`);
  if (where === 'querystring') throw new RestError(restErrorCodes.badRequest, failed.message);
  throw new RestError(restErrorCodes.unprocessableEntity, failed.message);
}

/** A path integer (partition id, broker id) the schema has checked: a non-integer never reaches here. */
export function intParam(call: V3Call, name: string): number {
  const raw = call.params[name];
  const value = Number(raw);
  if (raw === undefined || !Number.isSafeInteger(value) || value < 0)
    throw new RestError(404, `HTTP 404 Not Found: ${name} ${String(raw)} is not a valid id`);
  return value;
}

/** A 404 with Confluent's bare-status code on v3. */
export function notFound(message: string): RestError {
  return new RestError(404, message);
}

/** The schema of a path integer (partition or broker id). */
export const intPathParam = { type: 'integer', minimum: 0 } as const;
export const stringPathParam = { type: 'string', minLength: 1 } as const;

/** Requests one v3 call keeps in flight when it fans out (one per group, topic, broker or partition). */
export const fanOutMax = 16;

/**
 * `fn` over `items` with at most `limit` calls in flight, results in the
 * items' order: a call over a large cluster stays a bounded load on it. The
 * first rejection rejects the whole (calls already started still finish).
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
