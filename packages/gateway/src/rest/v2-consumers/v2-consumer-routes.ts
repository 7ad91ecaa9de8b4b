/**
 * REST Proxy v2 consumer instances (Confluent's `/consumers` API): create,
 * subscribe, assign, seek, records, commit and read offsets, delete. Any
 * gateway serves any instance (consumer-instances.ts); docs:
 * docs/rest-proxy-v2-consumers.md.
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { ConsumerInstances } from './consumer-instances.ts';
import { registerInstanceRoutes } from './instance-routes.ts';
import { registerPositionRoutes } from './position-routes.ts';
import { registerRecordsRoutes } from './records-routes.ts';
import { registerSubscriptionRoutes } from './subscription-routes.ts';

export function registerV2ConsumerRoutes(app: FastifyInstance, context: RestContext): void {
  const instances = new ConsumerInstances(context);
  registerInstanceRoutes(app, context, instances);
  registerSubscriptionRoutes(app, instances);
  registerPositionRoutes(app, instances);
  registerRecordsRoutes(app, context, instances);
}
