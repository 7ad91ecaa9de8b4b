import { InvalidArgumentError } from 'commander';

/** Commander parser for integer options; rejects anything that is not a whole number. */
export function parseIntOption(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`"${value}" is not an integer`);
  return Number.parseInt(value, 10);
}

/** Commander parser for `--transaction-version`: a feature level Runnel supports (0, 1 or 2). */
export function parseTransactionVersion(value: string): number {
  const level = parseIntOption(value);
  if (level < 0 || level > 2) throw new InvalidArgumentError(`transaction.version ${value} is not 0, 1 or 2`);
  return level;
}
