/**
 * REST Proxy v2: topics, partitions, offsets, brokers (metadata-routes.ts),
 * and produce with the five embedded formats (binary, json, avro,
 * jsonschema, protobuf) (produce-routes.ts). Consumer instances are
 * ../v2-consumers/.
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';
import { registerV2MetadataRoutes } from './metadata-routes.ts';
import { registerV2ProduceRoutes } from './produce-routes.ts';

export function registerV2Routes(app: FastifyInstance, context: RestContext): void {
  registerV2MetadataRoutes(app, context);
  registerV2ProduceRoutes(app, context);
}
