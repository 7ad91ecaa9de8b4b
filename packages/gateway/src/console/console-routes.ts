/**
 * The web console at /ui: its built assets and the JSON endpoints only the
 * console needs.
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest/rest-context.ts';
import { registerMessageRoutes } from './messages/message-routes.ts';
import { registerSchemaRoutes } from './schemas/schema-routes.ts';

export function registerConsoleRoutes(app: FastifyInstance, context: RestContext): void {
  registerMessageRoutes(app, context);
  registerSchemaRoutes(app, context);
}
