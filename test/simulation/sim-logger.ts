/**
 * The logger a simulated broker hands its real replication code: nothing is
 * written; each info, warn and error call becomes a SimLogEvent (level,
 * message, fields) for the run's trace, its truncation count, and its
 * checker: the replication code logs at error level only for a failure that
 * should not happen (a fetch round that threw), which the simulation
 * reports as a violation. Debug and below cost nothing.
 */
import type { Logger } from '@runnel/common';
import { pino } from 'pino';

export interface SimLogEvent {
  /** pino's numbers: 30 info, 40 warn, 50 error. */
  readonly level: number;
  readonly message: string;
  readonly fields: string;
}

export const errorLevel = 50;

export function simLogger(onEvent: (event: SimLogEvent) => void): Logger {
  return pino({
    level: 'info',
    hooks: {
      logMethod(args, _method, level) {
        const [first, second] = args as unknown[];
        const message = typeof first === 'string' ? first : typeof second === 'string' ? second : '';
        const fields = typeof first === 'object' && first !== null ? describe(first) : '';
        onEvent({ level, message, fields });
      },
    },
  });
}

function describe(fields: object): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${value instanceof Error ? value.message : String(value)}`)
    .join(' ');
}
