import { InvalidArgumentError } from 'commander';

/** Commander parser for integer options; rejects anything that is not a whole number. */
export function parseIntOption(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`"${value}" is not an integer`);
  return Number.parseInt(value, 10);
}

/** Commander parser for a count that must be at least 1 (a quota window of 0 samples measures nothing). */
export function parsePositiveInt(value: string): number {
  const n = parseIntOption(value);
  if (n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`);
  return n;
}

/** Commander parser for `--transaction-version`: a feature level Runnel supports (0, 1 or 2). */
export function parseTransactionVersion(value: string): number {
  const level = parseIntOption(value);
  if (level < 0 || level > 2) throw new InvalidArgumentError(`transaction.version ${value} is not 0, 1 or 2`);
  return level;
}
