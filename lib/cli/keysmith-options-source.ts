import type { KeysmithModuleOptions } from '../options/keysmith-options.interface.js';
import { type EnvKind, OPTION_DEFINITIONS } from '../options/keysmith-options.table.js';
import { splitList } from './arguments.js';
import { CliError } from './cli-error.js';

/** The options an operator may set through the environment, each as `KEYSMITH_<OPTION_IN_SNAKE_CASE>`. */
const ENV_OPTIONS = OPTION_DEFINITIONS.flatMap(([option, { env }]) => (env ? [[option, env] as const] : []));

/** `tokenPrefix` → `KEYSMITH_TOKEN_PREFIX`. */
function envName(option: string): string {
  return `KEYSMITH_${option.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
}

/** Names of the environment variables the CLI reads, for the help text. */
export const KEYSMITH_ENV_NAMES = ENV_OPTIONS.map(([option]) => envName(option));

/**
 * The KeysmithModule options of the CLI: the data source file's `keysmithOptions` export, with
 * any `KEYSMITH_*` environment variable laid over it. Validation is `resolveKeysmithOptions`'s.
 */
export function keysmithOptionsFrom(exported: unknown, env: NodeJS.ProcessEnv): KeysmithModuleOptions {
  if (exported !== undefined && (typeof exported !== 'object' || exported === null || Array.isArray(exported))) {
    throw new CliError('the keysmithOptions export of the data source file must be an object of KeysmithModule options.');
  }
  const options: Record<string, unknown> = { ...(exported as KeysmithModuleOptions | undefined) };
  for (const [option, kind] of ENV_OPTIONS) {
    const text = env[envName(option)];
    if (text !== undefined && text !== '') options[option] = fromEnv(envName(option), kind, text);
  }
  return options;
}

function fromEnv(name: string, kind: EnvKind, text: string): unknown {
  switch (kind) {
    case 'string':
      return text;
    case 'list':
      return splitList(text);
    case 'days':
      if (text === 'never') return null;
      return number(name, text);
    case 'number':
      return number(name, text);
  }
}

function number(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new CliError(`${name} must be a number; got "${text}".`);
  return value;
}
