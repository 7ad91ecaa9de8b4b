/**
 * The BROKER_LOGGER resource: this broker's loggers by name and their
 * levels, which DescribeConfigs lists and IncrementalAlterConfigs changes
 * in the running process (Kafka's log4j loggers, here pino's). `root` is
 * the broker's logger; every child logger created below it with a
 * `component` binding is a named logger. A logger without a level of its
 * own follows root's (pino propagates a parent's change to children that
 * never set theirs). Levels use Kafka's names (OFF, FATAL, ERROR, WARN,
 * INFO, DEBUG, TRACE). Owned by Broker; changes are not persisted, as in
 * Kafka: a restart starts from the configured level.
 */
import type { Logger } from '@runnel/common';

export const rootLoggerName = 'root';

const kafkaToPino: Readonly<Record<string, string>> = {
  OFF: 'silent',
  FATAL: 'fatal',
  ERROR: 'error',
  WARN: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
  TRACE: 'trace',
};
const pinoToKafka: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(kafkaToPino).map(([k, p]) => [p, k]),
);

export type LoggerChange = { readonly op: 'set'; readonly level: string } | { readonly op: 'delete' };

/**
 * Why a change to logger `name` is refused (Kafka's error and reason), or
 * null when it may be applied. Pure, for validateOnly and unit tests.
 */
export function checkLoggerChange(
  known: ReadonlySet<string>,
  name: string,
  op: string,
  value: string | null,
): { error: 'invalid_config' | 'invalid_request'; message: string } | null {
  if (op !== 'set' && op !== 'delete') {
    return { error: 'invalid_request', message: `Operation ${op} is not allowed for the BROKER_LOGGER resource.` };
  }
  if (!known.has(name)) return { error: 'invalid_config', message: `Logger ${name} does not exist.` };
  if (op === 'delete') {
    return name === rootLoggerName
      ? { error: 'invalid_request', message: 'Removing the log level of the root logger is not allowed.' }
      : null;
  }
  const level = (value ?? '').toUpperCase();
  if (kafkaToPino[level] === undefined) {
    return {
      error: 'invalid_config',
      message: `Cannot set logger ${name} to level ${value}: valid levels are ${Object.keys(kafkaToPino).join(', ')}.`,
    };
  }
  return null;
}

export class LoggerLevels {
  readonly #root: Logger;
  /** Named loggers (by `component`), each with whether an operator gave it its own level. */
  readonly #named = new Map<string, { loggers: Logger[]; own: boolean }>();

  constructor(root: Logger) {
    this.#root = root;
    // Inherited by every descendant, so loggers created anywhere below root are found.
    root.onChild = (child: Logger) => {
      const component = child.bindings().component;
      if (typeof component !== 'string') return;
      const entry = this.#named.get(component) ?? { loggers: [], own: false };
      entry.loggers.push(child);
      this.#named.set(component, entry);
    };
  }

  names(): Set<string> {
    return new Set([rootLoggerName, ...this.#named.keys()]);
  }

  /** root first, then the named loggers by name, each with its level in Kafka's terms. */
  describe(): { name: string; level: string }[] {
    const levelOf = (l: Logger) => pinoToKafka[l.level] ?? l.level.toUpperCase();
    const named = [...this.#named.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, e]) => ({ name, level: levelOf(e.loggers[0] ?? this.#root) }));
    return [{ name: rootLoggerName, level: levelOf(this.#root) }, ...named];
  }

  /** Applies a change that checkLoggerChange allowed. */
  apply(name: string, change: LoggerChange): void {
    if (name === rootLoggerName) {
      if (change.op === 'set') this.#root.level = kafkaToPino[change.level.toUpperCase()] ?? this.#root.level;
      // Loggers reset to root's level hold a copy of it: keep them following root.
      for (const entry of this.#named.values()) {
        if (!entry.own) for (const l of entry.loggers) l.level = this.#root.level;
      }
      return;
    }
    const entry = this.#named.get(name);
    if (entry === undefined) return;
    entry.own = change.op === 'set';
    const level =
      change.op === 'set' ? (kafkaToPino[change.level.toUpperCase()] ?? this.#root.level) : this.#root.level;
    for (const l of entry.loggers) l.level = level;
  }
}
