/**
 * The subjects resource: list (prefix, deleted, deletedOnly, paging),
 * register (with `normalize`, and in IMPORT mode a caller-chosen id and
 * version), lookup, versions, one version, its raw schema, the ids of the
 * schemas referencing it, soft and permanent deletes.
 */
import type { FastifyInstance } from 'fastify';
import type { RegistryHost } from '../registry-host.ts';
import { parsePaging, parseSchemaRequest, parseVersion } from '../registry-requests.ts';
import { flag, versionBody } from './bodies.ts';

type Query = { Querystring: Record<string, string | undefined> };
type SubjectParams = { Params: { subject: string } } & Query;
type VersionParams = { Params: { subject: string; version: string } } & Query;

export function registerSubjectRoutes(app: FastifyInstance, host: RegistryHost): void {
  app.get<Query>('/subjects', async (request) => {
    const service = await host.service();
    const prefix = request.query.subjectPrefix;
    return service.subjects({
      includeDeleted: flag(request.query.deleted),
      deletedOnly: flag(request.query.deletedOnly),
      paging: parsePaging(request.query),
      ...(prefix === undefined || prefix === '' ? {} : { prefix }),
    });
  });

  app.post<SubjectParams>('/subjects/:subject/versions', async (request) => {
    const service = await host.service();
    const normalize = flag(request.query.normalize);
    const id = await service.register(request.params.subject, parseSchemaRequest(request.body), { normalize });
    return { id };
  });

  app.post<SubjectParams>('/subjects/:subject', async (request) => {
    const service = await host.service();
    const { deleted, normalize } = request.query;
    const schema = parseSchemaRequest(request.body);
    return versionBody(service.lookup(request.params.subject, schema, flag(deleted), flag(normalize)));
  });

  app.get<SubjectParams>('/subjects/:subject/versions', async (request) => {
    const service = await host.service();
    const { deleted, deletedOnly } = request.query;
    return service.versions(request.params.subject, flag(deleted), flag(deletedOnly), parsePaging(request.query));
  });

  app.get<VersionParams>('/subjects/:subject/versions/:version', async (request) => {
    const service = await host.service();
    const { subject, version } = request.params;
    const entry = service.version(subject, parseVersion(version), flag(request.query.deleted));
    return versionBody(entry, service.formatted(entry, request.query.format));
  });

  app.get<VersionParams>('/subjects/:subject/versions/:version/schema', async (request) => {
    const service = await host.service();
    const { subject, version } = request.params;
    // The schema text itself, unescaped, as Confluent answers it.
    const entry = service.version(subject, parseVersion(version), flag(request.query.deleted));
    return service.formatted(entry, request.query.format);
  });

  app.get<VersionParams>('/subjects/:subject/versions/:version/referencedby', async (request) => {
    const service = await host.service();
    const { subject, version } = request.params;
    return service.referencedBy(subject, parseVersion(version));
  });

  app.delete<SubjectParams>('/subjects/:subject', async (request) => {
    const service = await host.service();
    return service.deleteSubject(request.params.subject, flag(request.query.permanent));
  });

  app.delete<VersionParams>('/subjects/:subject/versions/:version', async (request) => {
    const service = await host.service();
    const { subject, version } = request.params;
    return service.deleteVersion(subject, parseVersion(version), flag(request.query.permanent));
  });
}
