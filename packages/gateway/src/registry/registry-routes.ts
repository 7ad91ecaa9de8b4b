/**
 * The Schema Registry API on the registry port: the root probe and the
 * subjects, schemas, config, mode and compatibility resources, in one
 * Fastify scope that reads request bodies in the three content types
 * Confluent's clients send and answers every registry route in
 * `application/vnd.schemaregistry.v1+json`. It also keeps the table of
 * route paths and methods, so a known path asked with a method it does not
 * take answers 405 (as Confluent's Jersey server does) rather than 404.
 */
import type { FastifyInstance } from 'fastify';
import { registryContentType } from './error-body.ts';
import type { RegistryHost } from './registry-host.ts';
import { registerRootRoutes } from './root-routes.ts';
import { registerCompatibilityRoutes } from './routes/compatibility.ts';
import { registerConfigRoutes } from './routes/config.ts';
import { registerModeRoutes } from './routes/mode.ts';
import { registerSchemaRoutes } from './routes/schemas.ts';
import { registerSubjectRoutes } from './routes/subjects.ts';
import { registryConsistencyHook } from './write-routing.ts';

/** Request content types Confluent's registry takes. */
const registryBodyTypes = [
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
];

/** The registry's routes by path pattern: which methods a path takes. */
export class RouteTable {
  readonly #routes: { pattern: RegExp; methods: Set<string> }[] = [];

  add(template: string, methods: readonly string[]): void {
    const source = template
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const pattern = new RegExp(`^${source}/?$`);
    const existing = this.#routes.find((r) => r.pattern.source === pattern.source);
    if (existing === undefined) this.#routes.push({ pattern, methods: new Set(methods) });
    else for (const method of methods) existing.methods.add(method);
  }

  /** The methods some route takes on this path (its query string ignored), sorted; empty for an unknown path. */
  methodsFor(url: string): string[] {
    const path = url.split('?')[0] ?? '';
    const out = new Set<string>();
    for (const route of this.#routes) if (route.pattern.test(path)) for (const m of route.methods) out.add(m);
    return [...out].sort();
  }
}

export function registerRegistryRoutes(app: FastifyInstance, host: RegistryHost): RouteTable {
  const table = new RouteTable();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    table.add(
      route.url,
      methods.filter((m) => m !== 'HEAD'),
    );
  });
  registerRootRoutes(app, host);
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
    registerModeRoutes(scope, host);
    registerCompatibilityRoutes(scope, host);
  });
  return table;
}
