/**
 * The mode resource, global and per subject (registry-modes.ts): GET
 * answers `{"mode"}` (a subject without its own mode is 40409 unless
 * `defaultToGlobal=true`), PUT takes `{"mode"}` (with `force=true` to set
 * IMPORT where schemas exist) and echoes it, DELETE drops a subject's own
 * mode and answers the one it had.
 */
import type { FastifyInstance } from 'fastify';
import type { RegistryHost } from '../registry-host.ts';
import { flag } from './bodies.ts';

type Query = { Querystring: Record<string, string | undefined> };
type ModeBody = { Body: { mode?: unknown } | null };
type SubjectMode = { Params: { subject: string } } & Query;

export function registerModeRoutes(app: FastifyInstance, host: RegistryHost): void {
  app.get('/mode', async () => {
    const service = await host.service();
    return { mode: service.settings.mode(null, false) };
  });

  app.put<Query & ModeBody>('/mode', async (request) => {
    const service = await host.service();
    return { mode: await service.settings.setMode(null, request.body?.mode, flag(request.query.force)) };
  });

  app.get<SubjectMode>('/mode/:subject', async (request) => {
    const service = await host.service();
    return { mode: service.settings.mode(request.params.subject, flag(request.query.defaultToGlobal)) };
  });

  app.put<SubjectMode & ModeBody>('/mode/:subject', async (request) => {
    const service = await host.service();
    const { subject } = request.params;
    return { mode: await service.settings.setMode(subject, request.body?.mode, flag(request.query.force)) };
  });

  app.delete<SubjectMode>('/mode/:subject', async (request) => {
    const service = await host.service();
    return { mode: await service.settings.deleteMode(request.params.subject) };
  });
}
