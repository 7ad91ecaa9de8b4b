/**
 * The config resource: the compatibility level, global and per subject.
 * Levels are stored in `_schemas`; registering checks against them
 * (compat/, and the compatibility resource in compatibility.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { RegistryHost } from '../registry-host.ts';
import { flag } from './bodies.ts';

type ConfigBody = { Body: { compatibility?: unknown } | null };
type SubjectConfig = { Params: { subject: string }; Querystring: Record<string, string | undefined> };

export function registerConfigRoutes(app: FastifyInstance, host: RegistryHost): void {
  app.get('/config', async () => {
    const service = await host.service();
    return { compatibilityLevel: service.compatibility(null, true) };
  });

  app.put<ConfigBody>('/config', async (request) => {
    const service = await host.service();
    return { compatibility: await service.setCompatibility(null, request.body?.compatibility) };
  });

  app.get<SubjectConfig>('/config/:subject', async (request) => {
    const service = await host.service();
    return {
      compatibilityLevel: service.compatibility(request.params.subject, flag(request.query.defaultToGlobal)),
    };
  });

  app.put<SubjectConfig & ConfigBody>('/config/:subject', async (request) => {
    const service = await host.service();
    return { compatibility: await service.setCompatibility(request.params.subject, request.body?.compatibility) };
  });

  app.delete<SubjectConfig>('/config/:subject', async (request) => {
    const service = await host.service();
    return { compatibilityLevel: await service.deleteCompatibility(request.params.subject) };
  });
}
