/**
 * The registry's root resource. Confluent's registry answers `GET /` with
 * an empty JSON object, which clients and load balancers use as a cheap
 * "is this a registry" probe; `GET /contexts` lists the one context served.
 * The registry API proper (subjects, schemas,
 * config, mode, compatibility) joins this folder as one module per
 * resource, each registering its routes on the same Fastify instance.
 */
import type { FastifyInstance } from 'fastify';
import { registryContentType } from './error-body.ts';

export function registerRootRoutes(app: FastifyInstance): void {
  app.get('/', async (_request, reply) => {
    reply.header('content-type', registryContentType);
    return {};
  });

  // Schema contexts are not supported: everything lives in the default context, which Confluent names ".".
  app.get('/contexts', async (_request, reply) => {
    reply.header('content-type', registryContentType);
    return ['.'];
  });
}
