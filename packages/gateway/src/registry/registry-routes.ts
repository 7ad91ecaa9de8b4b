/**
 * The Schema Registry API on the registry port: the root probe and the
 * subjects, schemas, config and compatibility resources, in one Fastify scope that reads
 * request bodies in the three content types Confluent's clients send and
 * answers every registry route in `application/vnd.schemaregistry.v1+json`.
 */
import type { FastifyInstance } from 'fastify';
import { registryContentType } from './error-body.ts';
import type { RegistryHost } from './registry-host.ts';
import { registerRootRoutes } from './root-routes.ts';
import { registerCompatibilityRoutes } from './routes/compatibility.ts';
import { registerConfigRoutes } from './routes/config.ts';
import { registerSchemaRoutes } from './routes/schemas.ts';
import { registerSubjectRoutes } from './routes/subjects.ts';
import { registryConsistencyHook } from './write-routing.ts';

/** Request content types Confluent's registry takes. */
const registryBodyTypes = [
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
];

export function registerRegistryRoutes(app: FastifyInstance, host: RegistryHost): void {
  registerRootRoutes(app);
  // Fastify's own JSON parser refuses an empty body with a JSON content type, which registry clients send on
  // DELETE; an empty body is no body here. A body that does not parse is a 400, as Confluent's answers it.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(registryBodyTypes, { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, null);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(Object.assign(new Error(`Invalid JSON body: ${(error as Error).message}`), { statusCode: 400 }), undefined);
    }
  });
  void app.register(async (scope) => {
    scope.addHook('preHandler', registryConsistencyHook(host));
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-type', registryContentType);
      return payload;
    });
    registerSubjectRoutes(scope, host);
    registerSchemaRoutes(scope, host);
    registerConfigRoutes(scope, host);
    registerCompatibilityRoutes(scope, host);
  });
}
