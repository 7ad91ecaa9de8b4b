/**
 * The web console at /ui: its built assets (console-assets.ts) and the JSON
 * endpoints only the console needs, under /ui/api, one file per page's
 * resource. The browser code lives in packages/gateway/console.
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest/rest-context.ts';
import { registerConsoleAssets } from './console-assets.ts';
import { registerGroupRoutes } from './groups-routes.ts';
import { registerMessageRoutes } from './messages/message-routes.ts';
import { registerOverviewRoutes } from './overview-routes.ts';
import { RateSampler } from './rate-sampler.ts';
import { registerRateRoutes } from './rates-routes.ts';
import { registerSchemaRoutes } from './schemas/schema-routes.ts';
import { registerTopicRoutes } from './topics-routes.ts';

export function registerConsoleRoutes(app: FastifyInstance, context: RestContext): void {
  const rates = new RateSampler({ metricsUrls: context.metricsUrls, client: () => context.client() });
  registerConsoleAssets(app);
  registerOverviewRoutes(app, context);
  registerTopicRoutes(app, context, rates);
  registerGroupRoutes(app, context);
  registerRateRoutes(app, rates);
  registerMessageRoutes(app, context);
  registerSchemaRoutes(app, context);
}
