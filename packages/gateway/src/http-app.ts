/**
 * The gateway's HTTP server (Fastify): the operational endpoints every
 * Runnel role serves (/healthz, /readyz, /metrics) and, on the registry
 * port, the Schema Registry routes from registry/. Every answer is counted
 * in GatewayMetrics by route template and status. Paths no route serves and
 * errors Fastify raises itself (a body it cannot parse, a body too large)
 * answer with Confluent's error body, since a registry client reads every
 * non-2xx answer as one. Owned by Gateway, which listens and closes it.
 */
import { type HttpConnectionLimits, type Logger, limitHttpConnections } from '@runnel/common';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { GatewayMetrics } from './gateway-metrics.ts';
import {
  errorBody,
  httpStatusOf,
  methodNotAllowedBody,
  notFoundBody,
  registryContentType,
} from './registry/error-body.ts';
import { RegistryError } from './registry/registry-error.ts';
import type { RegistryHost } from './registry/registry-host.ts';
import { type RouteTable, registerRegistryRoutes } from './registry/registry-routes.ts';

export interface HttpAppOptions {
  metrics: GatewayMetrics;
  /** Why the gateway cannot serve yet, or null when it can. */
  notReadyReason: () => string | null;
  logger: Logger;
  /** The registry this server also serves, or null for a separate operations port. */
  registry: RegistryHost | null;
}

/**
 * The gateway's connection limits (docs/resource-limits-connections.md). Its
 * clients may all come through one load balancer, so the per-address cap is
 * as generous as the broker's; keep-alive outlasts the usual 60 s idle timeout
 * of load balancers (Fastify's 72 s), so they close first.
 */
export const gatewayHttpLimits: HttpConnectionLimits = {
  connectionsMax: 10_000,
  connectionsPerIpMax: 1000,
  idleMs: 120_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
  requestsPerSocketMax: 10_000,
};

/** Largest request body read (Fastify's default, stated): a schema or a REST produce beyond it answers 413. */
const bodyBytesMax = 1024 * 1024;

/** The label for requests no route matched: one value, whatever path was asked for. */
const unmatchedRoute = 'unmatched';

/** /healthz, /readyz and /metrics, which every gateway port serves. */
export function registerOperationalRoutes(
  app: FastifyInstance,
  options: Pick<HttpAppOptions, 'metrics' | 'notReadyReason'>,
): void {
  app.get('/healthz', async (_request, reply) => {
    reply.type('text/plain');
    return 'ok\n';
  });

  app.get('/readyz', async (_request, reply) => {
    const reason = options.notReadyReason();
    reply.type('text/plain');
    if (reason === null) return 'ready\n';
    reply.code(503);
    return `not ready: ${reason}\n`;
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await options.metrics.registry.metrics();
    reply.type(options.metrics.registry.contentType);
    return text;
  });
}

export function buildHttpApp(options: HttpAppOptions): FastifyInstance {
  // Fastify's own request logging would write two lines per request; the metrics count them instead.
  const app = Fastify({
    logger: false,
    return503OnClosing: true,
    bodyLimit: bodyBytesMax,
    // Errors the router raises before any route runs (a path that does not percent-decode, a parameter over
    // maxParamLength) would otherwise get Fastify's own body; a registry client reads only Confluent's.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 400;
      void reply.code(status).header('content-type', registryContentType).send(errorBody(status, error.message));
    },
  });
  const listener = options.registry === null ? 'http' : 'registry';
  limitHttpConnections(app.server, gatewayHttpLimits, (reason) => options.metrics.connectionClosed(listener, reason));
  const { metrics, logger } = options;
  let registryRoutes: RouteTable | null = null;

  // A path no route serves is answered before its body is read: otherwise Fastify would parse the body first and
  // answer a body it cannot parse (or a content type it does not know) with 400/415 instead of Confluent's 404.
  // A known registry path asked with a method it does not take is a 405 (with Allow), as Jersey answers it.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const allowed = registryRoutes?.methodsFor(request.url) ?? [];
    if (allowed.length > 0) {
      reply.code(405).header('content-type', registryContentType).header('allow', allowed.join(', '));
      return reply.send(methodNotAllowedBody());
    }
    reply.code(404).header('content-type', registryContentType);
    return reply.send(notFoundBody());
  });

  // Once close() has begun (the server no longer listens), every answer ends its connection. A keep-alive
  // connection whose request was in flight when close() began would otherwise sit idle after its answer, and
  // the close would wait for it (Node checks idle connections every 30 s): a stopping writer would keep its
  // registry role, and every forwarded write would wait, for that long.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!app.server.listening) reply.header('connection', 'close');
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? unmatchedRoute;
    metrics.observe(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });

  registerOperationalRoutes(app, options);

  if (options.registry !== null) registryRoutes = registerRegistryRoutes(app, options.registry);

  app.setNotFoundHandler(async (_request, reply) => {
    reply.code(404).header('content-type', registryContentType);
    return notFoundBody();
  });

  app.setErrorHandler(async (error: FastifyError | RegistryError, request, reply) => {
    if (error instanceof RegistryError) {
      if (error.errorCode >= 50_000) logger.error({ err: error, route: request.routeOptions.url }, 'registry error');
      reply.code(httpStatusOf(error.errorCode)).header('content-type', registryContentType);
      return errorBody(error.errorCode, error.message);
    }
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) logger.error({ err: error, route: request.routeOptions.url }, 'gateway request failed');
    reply.code(status).header('content-type', registryContentType);
    // A 5xx says nothing of the cause to the caller; the log line has it.
    return errorBody(status, status >= 500 ? 'Internal Server Error' : error.message);
  });

  return app;
}
