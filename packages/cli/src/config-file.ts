/**
 * A simple `key=value` properties file, the shape of Kafka's
 * server.properties: one setting per line, `#` or `!` starts a comment line,
 * blank lines are ignored, whitespace around keys and values is dropped.
 * No escapes, no line continuations: settings here are ids, hosts, ports,
 * paths and numbers. Failures are data (the CLI turns them into exit 2).
 */
import { readFile } from 'node:fs/promises';
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';

export type ConfigFileError = 'unreadable' | 'malformed';

/** Parses properties text; `source` names the file in messages. */
export function parseProperties(text: string, source: string): Result<Map<string, string>, ConfigFileError> {
  const values = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return err('malformed', `${source}:${i + 1}: "${line}" is not key=value`);
    const key = line.slice(0, eq).trim();
    if (values.has(key)) return err('malformed', `${source}:${i + 1}: ${key} is set twice; keep one`);
    values.set(key, line.slice(eq + 1).trim());
  }
  return ok(values);
}

/** Reads and parses a properties file. */
export async function readProperties(path: string): Promise<Result<Map<string, string>, ConfigFileError>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return err('unreadable', `config file ${path} cannot be read (${reason}); check the --config path`);
  }
  return parseProperties(text, path);
}
