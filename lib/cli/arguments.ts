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

/** A whole number of at least 0, for `--offset`. */
export function nonNegativeInteger(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError('Expected a whole number of at least 0.');
  return Number(text);
}

/** An HTTP status code, 100 to 599. */
export function httpStatus(text: string): number {
  if (!/^\d{3}$/.test(text) || Number(text) < 100 || Number(text) > 599)
    throw new InvalidArgumentError('Expected an HTTP status from 100 to 599.');
  return Number(text);
}
