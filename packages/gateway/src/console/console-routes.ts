/**
 * The web console at /ui: its built assets and the JSON endpoints only the
 * console needs.
 */
import type { FastifyInstance } from 'fastify';
import type { RestContext } from '../rest/rest-context.ts';

export function registerConsoleRoutes(_app: FastifyInstance, _context: RestContext): void {}
