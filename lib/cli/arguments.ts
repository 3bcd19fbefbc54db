import { InvalidArgumentError } from 'commander';

/** `read, write` → `['read', 'write']`. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** A whole number of at least 1, for options such as `--limit`. */
export function positiveInteger(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InvalidArgumentError('Expected a whole number of at least 1.');
  return Number(text);
}
