/**
 * The config resource, global and per subject: the compatibility level and
 * Confluent's other config fields (registry-config.ts). Configs are stored
 * in `_schemas`; registering checks against the level and honours
 * `normalize`.
 */
import type { FastifyInstance } from 'fastify';
import type { RegistryHost } from '../registry-host.ts';
import { flag } from './bodies.ts';

type Query = { Querystring: Record<string, string | undefined> };
type SubjectConfig = { Params: { subject: string } } & Query;

export function registerConfigRoutes(app: FastifyInstance, host: RegistryHost): void {
  app.get('/config', async () => {
    const service = await host.service();
    return service.settings.config(null, true);
  });

  app.put('/config', async (request) => {
    const service = await host.service();
    return service.settings.setConfig(null, request.body);
  });

  app.delete('/config', async () => {
    const service = await host.service();
    return service.settings.deleteConfig(null);
  });

  app.get<SubjectConfig>('/config/:subject', async (request) => {
    const service = await host.service();
    return service.settings.config(request.params.subject, flag(request.query.defaultToGlobal));
  });

  app.put<SubjectConfig>('/config/:subject', async (request) => {
    const service = await host.service();
    return service.settings.setConfig(request.params.subject, request.body);
  });

  app.delete<SubjectConfig>('/config/:subject', async (request) => {
    const service = await host.service();
    return service.settings.deleteConfig(request.params.subject);
  });
}
