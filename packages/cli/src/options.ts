import { InvalidArgumentError } from 'commander';

/** Commander parser for integer options; rejects anything that is not a whole number. */
export function parseIntOption(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`"${value}" is not an integer`);
  return Number.parseInt(value, 10);
}
