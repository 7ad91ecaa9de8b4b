/**
 * The schemas resource: a schema by its global id (with its raw text, the
 * subjects and the subject-versions using it) and the supported types.
 */
import type { FastifyInstance } from 'fastify';
import { registryErrors } from '../registry-error.ts';
import type { RegistryHost } from '../registry-host.ts';
import { schemaTypes } from '../store-records.ts';
import { flag, idBody } from './bodies.ts';

type IdParams = { Params: { id: string }; Querystring: Record<string, string | undefined> };

function parseId(text: string): number {
  const id = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id)) throw registryErrors.schemaNotFound();
  return id;
}

export function registerSchemaRoutes(app: FastifyInstance, host: RegistryHost): void {
  app.get('/schemas/types', async () => [...schemaTypes]);

  app.get<IdParams>('/schemas/ids/:id', async (request) => {
    const service = await host.service();
    const entry = service.schemaById(parseId(request.params.id));
    return idBody(entry, service.formatted(entry, request.query.format));
  });

  app.get<IdParams>('/schemas/ids/:id/schema', async (request) => {
    const service = await host.service();
    const entry = service.schemaById(parseId(request.params.id));
    return service.formatted(entry, request.query.format);
  });

  app.get<IdParams>('/schemas/ids/:id/subjects', async (request) => {
    const service = await host.service();
    const users = service.usersOfId(parseId(request.params.id), flag(request.query.deleted));
    return [...new Set(users.map((u) => u.subject))];
  });

  app.get<IdParams>('/schemas/ids/:id/versions', async (request) => {
    const service = await host.service();
    const users = service.usersOfId(parseId(request.params.id), flag(request.query.deleted));
    return users.map((u) => ({ subject: u.subject, version: u.version }));
  });
}
