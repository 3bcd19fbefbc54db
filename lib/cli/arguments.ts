import { CliError } from './cli-error.js';

/** `read, write` → `['read', 'write']`. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** A whole number of at least 1, for options such as `--limit`. */
export function positiveInteger(option: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliError(`${option} expects a whole number of at least 1; got "${text}".`);
  return Number(text);
}

/** One value out of a fixed set, for options such as `--type` and `--action`. */
export function oneOf<T extends string>(option: string, text: string, allowed: readonly T[]): T {
  if (!allowed.includes(text as T)) throw new CliError(`${option} expects one of ${allowed.join(', ')}; got "${text}".`);
  return text as T;
}
