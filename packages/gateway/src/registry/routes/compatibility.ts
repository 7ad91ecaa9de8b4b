/**
 * The compatibility resource: would this schema be accepted by the
 * subject? Against one version (`latest` or a number) or, without one,
 * against the versions the subject's level names. `verbose=true` adds the
 * reasons, in the shape Confluent's clients print.
 */
import type { FastifyInstance } from 'fastify';
import type { RegistryHost } from '../registry-host.ts';
import { parseSchemaRequest, parseVersion } from '../registry-requests.ts';
import { flag } from './bodies.ts';

type Query = { Querystring: Record<string, string | undefined> };

export function registerCompatibilityRoutes(app: FastifyInstance, host: RegistryHost): void {
  app.post<{ Params: { subject: string; version: string } } & Query>(
    '/compatibility/subjects/:subject/versions/:version',
    async (request) => {
      const service = await host.service();
      const { subject, version } = request.params;
      const schema = parseSchemaRequest(request.body);
      const result = service.testCompatibility(subject, schema, parseVersion(version), flag(request.query.normalize));
      return flag(request.query.verbose) ? result : { is_compatible: result.is_compatible };
    },
  );

  app.post<{ Params: { subject: string } } & Query>('/compatibility/subjects/:subject/versions', async (request) => {
    const service = await host.service();
    const schema = parseSchemaRequest(request.body);
    const result = service.testCompatibility(request.params.subject, schema, 'all', flag(request.query.normalize));
    return flag(request.query.verbose) ? result : { is_compatible: result.is_compatible };
  });
}
