/**
 * The web console at /ui: its built assets (console-assets.ts) and the JSON
 * endpoints only the console needs, under /ui/api, one file per page's
 * resource. The browser code lives in packages/gateway/console.
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest/rest-context.ts';
import { registerConsoleAssets } from './console-assets.ts';
import { registerMessageRoutes } from './messages/message-routes.ts';
import { registerOverviewRoutes } from './overview-routes.ts';
import { registerSchemaRoutes } from './schemas/schema-routes.ts';

export function registerConsoleRoutes(app: FastifyInstance, context: RestContext): void {
  registerConsoleAssets(app);
  registerOverviewRoutes(app, context);
  registerMessageRoutes(app, context);
  registerSchemaRoutes(app, context);
}
