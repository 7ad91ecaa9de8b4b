/**
 * Structured logging (pino), one JSON line per event. Components take a
 * Logger and add their ids with child({ topic, partition, ... }).
 */
import { pino } from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  level?: string;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino({
    level: options.level ?? process.env.RUNNEL_LOG_LEVEL ?? 'info',
    base: options.name === undefined ? {} : { name: options.name },
  });
}

/** A logger that drops everything; for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
