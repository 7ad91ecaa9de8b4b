/**
 * The Schema Registry API on the registry port: the root probe and the
 * subjects, schemas and config resources, in one Fastify scope that reads
 * request bodies in the three content types Confluent's clients send and
 * answers every registry route in `application/vnd.schemaregistry.v1+json`.
 */
import type { FastifyInstance } from 'fastify';
import { registryContentType } from './error-body.ts';
import type { RegistryHost } from './registry-host.ts';
import { registerRootRoutes } from './root-routes.ts';
import { registerConfigRoutes } from './routes/config.ts';
import { registerSchemaRoutes } from './routes/schemas.ts';
import { registerSubjectRoutes } from './routes/subjects.ts';

/** Request content types Confluent's registry takes (application/json is Fastify's own). */
const registryBodyTypes = ['application/vnd.schemaregistry.v1+json', 'application/vnd.schemaregistry+json'];

export function registerRegistryRoutes(app: FastifyInstance, host: RegistryHost): void {
  registerRootRoutes(app);
  app.addContentTypeParser(registryBodyTypes, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  void app.register(async (scope) => {
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-type', registryContentType);
      return payload;
    });
    registerSubjectRoutes(scope, host);
    registerSchemaRoutes(scope, host);
    registerConfigRoutes(scope, host);
  });
}
