/**
 * The registry's root resource. Confluent's registry answers `GET /` with
 * an empty JSON object, which clients and load balancers use as a cheap
 * "is this a registry" probe; `GET /contexts` lists the one context served;
 * `GET /v1/metadata/id` names the Kafka cluster and the registry cluster
 * (Confluent's ServerClusterId shape: `{"scope":{"path":[],"clusters":{...}}}`,
 * its empty `id` left out).
 * The registry API proper (subjects, schemas,
 * config, mode, compatibility) joins this folder as one module per
 * resource, each registering its routes on the same Fastify instance.
 */
import type { FastifyInstance } from 'fastify';
import { registryContentType } from './error-body.ts';
import type { RegistryHost } from './registry-host.ts';

export function registerRootRoutes(app: FastifyInstance, host: RegistryHost): void {
  app.get('/', async (_request, reply) => {
    reply.header('content-type', registryContentType);
    return {};
  });

  // Schema contexts are not supported: everything lives in the default context, which Confluent names ".".
  app.get('/contexts', async (_request, reply) => {
    reply.header('content-type', registryContentType);
    return ['.'];
  });

  app.get('/v1/metadata/id', async (_request, reply) => {
    // Waits (up to the host's limit, then 50002) until the cluster has answered, so the Kafka id is known.
    await host.service();
    const { kafka, registry } = host.clusterIds;
    reply.header('content-type', registryContentType);
    return { scope: { path: [], clusters: { 'kafka-cluster': kafka, 'schema-registry-cluster': registry } } };
  });
}
