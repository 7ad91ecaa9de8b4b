/**
 * The schemas resource: the list of schemas (prefix, deleted, latestOnly,
 * paging), a schema by its global id (with `subject` and `fetchMaxId`), its
 * raw text, the subjects and subject-versions using it, and the supported
 * types.
 */
import type { FastifyInstance } from 'fastify';
import { registryErrors } from '../registry-error.ts';
import type { RegistryHost } from '../registry-host.ts';
import { parsePaging } from '../registry-requests.ts';
import { page } from '../state.ts';
import { schemaTypes } from '../store-records.ts';
import { flag, idBody, versionBody } from './bodies.ts';

type Query = { Querystring: Record<string, string | undefined> };
type IdParams = { Params: { id: string } } & Query;

function parseId(text: string): number {
  const id = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id)) throw registryErrors.schemaNotFound();
  return id;
}

export function registerSchemaRoutes(app: FastifyInstance, host: RegistryHost): void {
  app.get('/schemas/types', async () => [...schemaTypes]);

  app.get<Query>('/schemas', async (request) => {
    const service = await host.service();
    const { subjectPrefix, deleted, latestOnly } = request.query;
    const schemas = service.schemas({
      includeDeleted: flag(deleted),
      latestOnly: flag(latestOnly),
      paging: parsePaging(request.query),
      ...(subjectPrefix === undefined || subjectPrefix === '' ? {} : { prefix: subjectPrefix }),
    });
    return schemas.map((entry) => versionBody(entry, service.formatted(entry, request.query.format)));
  });

  app.get<IdParams>('/schemas/ids/:id', async (request) => {
    const service = await host.service();
    // `subject` only chooses the schema context to look the id up in (Confluent falls back to the default context,
    // the only one here), so any subject answers the same.
    const entry = service.schemaById(parseId(request.params.id));
    const body = idBody(entry, service.formatted(entry, request.query.format));
    return flag(request.query.fetchMaxId) ? { ...body, maxId: service.maxId } : body;
  });

  app.get<IdParams>('/schemas/ids/:id/schema', async (request) => {
    const service = await host.service();
    const entry = service.schemaById(parseId(request.params.id));
    return service.formatted(entry, request.query.format);
  });

  app.get<IdParams>('/schemas/ids/:id/subjects', async (request) => {
    const service = await host.service();
    const { deleted, subject } = request.query;
    const users = service.usersOfId(parseId(request.params.id), flag(deleted), subject || undefined);
    const { offset, limit } = parsePaging(request.query);
    return page([...new Set(users.map((u) => u.subject))], offset, limit);
  });

  app.get<IdParams>('/schemas/ids/:id/versions', async (request) => {
    const service = await host.service();
    const { deleted, subject } = request.query;
    const id = parseId(request.params.id);
    const users = service.usersOfId(id, flag(deleted), subject || undefined, parsePaging(request.query));
    return users.map((u) => ({ subject: u.subject, version: u.version }));
  });
}
