/**
 * Structured logging (pino), one line per event on stdout. Components take a
 * Logger and add their ids with child({ topic, partition, ... }); a key a
 * child adds must not be one its parent (or a log call) already has, since
 * pino writes both and the line then holds the key twice.
 *
 * Two formats of the same events: JSON lines for files, pipes and log
 * collectors, and pino-pretty's one-line-per-event text for a person at a
 * terminal. Unless one is chosen, stdout decides: a terminal gets pretty.
 */
import { pino } from 'pino';
import pinoPretty from 'pino-pretty';

export type Logger = pino.Logger;

export const logFormats = ['json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Absent: RUNNEL_LOG_FORMAT when it names a format, else pretty when stdout is a terminal and JSON otherwise. */
  format?: LogFormat;
}

export function isLogFormat(value: string): value is LogFormat {
  return (logFormats as readonly string[]).includes(value);
}

/** The format a logger without an explicit one uses (see LoggerOptions.format). */
export function defaultLogFormat(
  env: Readonly<Record<string, string | undefined>> = process.env,
  stdoutIsTerminal: boolean = process.stdout.isTTY === true,
): LogFormat {
  const fromEnv = env.RUNNEL_LOG_FORMAT;
  if (fromEnv !== undefined && isLogFormat(fromEnv)) return fromEnv;
  return stdoutIsTerminal ? 'pretty' : 'json';
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? process.env.RUNNEL_LOG_LEVEL ?? 'info',
    base: options.name === undefined ? {} : { name: options.name },
  };
  if ((options.format ?? defaultLogFormat()) === 'json') return pino(settings);
  // In-process and synchronous (not a worker-thread transport), so lines written just before process.exit() appear.
  // One line per event, local wall-clock time, the process role (dev runs both in one process) before the message.
  const pretty = pinoPretty({
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    messageFormat: '{if role}[{role}] {end}{msg}',
    ignore: 'role',
  });
  return pino(settings, pretty);
}

/** A logger that drops everything; for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
