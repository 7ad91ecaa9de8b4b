/**
 * REST Proxy v3: clusters, brokers, topics, partitions, replicas, configs,
 * consumer groups and lags, reassignments.
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest-context.ts';

export function registerV3Routes(_app: FastifyInstance, _context: RestContext): void {}
