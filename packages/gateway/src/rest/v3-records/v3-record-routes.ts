/**
 * REST Proxy v3 records: produce (one record, or a stream of them with
 * delivery reports streamed back in order) and consume (from a partition by
 * offset or timestamp, as JSON lines or server-sent events).
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';

export function registerV3RecordRoutes(_app: FastifyInstance, _context: RestContext): void {}
