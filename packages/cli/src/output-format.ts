/**
 * `--output text|json` for the operator commands (delete-records, log-dirs,
 * get-offsets, metadata-quorum): text for a person, JSON for scripts. JSON
 * writes int64 values (offsets, byte counts) as plain JSON numbers with
 * every digit, never rounded through a double and never quoted.
 */
import { Option } from 'commander';

export type OutputFormat = 'text' | 'json';

export interface OutputOptions {
  output: OutputFormat;
}

export function outputOption(): Option {
  return new Option('--output <format>', 'text for people, json for scripts').choices(['text', 'json']).default('text');
}

/** JSON text of `value`, bigints as exact numbers; one line plus a newline. */
export function toJsonLine(value: unknown): string {
  // A string no value of ours contains; JSON escapes control characters, so the marker is plain text.
  const marker = '@@runnel-int64@@';
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${marker}${v}` : v));
  return `${text.replace(new RegExp(`"${marker}(-?\\d+)"`, 'g'), '$1')}\n`;
}
