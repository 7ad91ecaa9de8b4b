/**
 * The subjects resource: list, register, lookup, versions, one version and
 * its raw schema, soft and permanent deletes.
 */
import type { FastifyInstance } from 'fastify';
import type { RegistryHost } from '../registry-host.ts';
import { parseSchemaRequest, parseVersion } from '../registry-service.ts';
import { flag, versionBody } from './bodies.ts';

type SubjectParams = { Params: { subject: string }; Querystring: Record<string, string | undefined> };
type VersionParams = { Params: { subject: string; version: string }; Querystring: Record<string, string | undefined> };

export function registerSubjectRoutes(app: FastifyInstance, host: RegistryHost): void {
  app.get<{ Querystring: Record<string, string | undefined> }>('/subjects', async (request) => {
    const service = await host.service();
    const prefix = request.query.subjectPrefix;
    return service.subjects({
      includeDeleted: flag(request.query.deleted),
      ...(prefix === undefined || prefix === '' ? {} : { prefix }),
    });
  });

  app.post<SubjectParams>('/subjects/:subject/versions', async (request) => {
    const service = await host.service();
    const id = await service.register(request.params.subject, parseSchemaRequest(request.body));
    return { id };
  });

  app.post<SubjectParams>('/subjects/:subject', async (request) => {
    const service = await host.service();
    const entry = service.lookup(request.params.subject, parseSchemaRequest(request.body), flag(request.query.deleted));
    return versionBody(entry);
  });

  app.get<SubjectParams>('/subjects/:subject/versions', async (request) => {
    const service = await host.service();
    return service.versions(request.params.subject, flag(request.query.deleted));
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
