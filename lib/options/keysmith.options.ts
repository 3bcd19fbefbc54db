import { Logger } from '@nestjs/common';
import { KeysmithConfigurationError } from '../errors/keysmith-configuration.error.js';
import { BCRYPT_MAX_INPUT_BYTES, BcryptHasher } from '../hashing/bcrypt.hasher.js';
import { HasherRegistry } from '../hashing/hasher-registry.js';
import { Pbkdf2Sha512Hasher } from '../hashing/pbkdf2-sha512.hasher.js';
import { Sha256Hasher } from '../hashing/sha256.hasher.js';
import type { TokenHasher } from '../hashing/token-hasher.js';
import { isAvailable } from '../tokens/scopes.js';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { HasherName, KeysmithModuleOptions } from './keysmith-options.interface.js';
import {
  type CurrentOptionName,
  type DeprecatedOption,
  DEPRECATED_OPTIONS,
  KEYSMITH_OPTION_TABLE,
  OPTION_DEFINITIONS,
} from './keysmith-options.table.js';

type OptionTable = typeof KEYSMITH_OPTION_TABLE;

/** `cacheTtlSeconds` → `cacheTtlMs`: an option in seconds is resolved in milliseconds. */
type ResolvedName<Name extends CurrentOptionName> = OptionTable[Name] extends { unit: 'seconds' }
  ? Name extends `${infer Base}Seconds${infer Rest}`
    ? `${Base}Ms${Rest}`
    : never
  : Name;

/** Every option as its check returned it, durations in milliseconds. */
type CheckedOptions = {
  readonly [Name in CurrentOptionName as ResolvedName<Name>]: ReturnType<OptionTable[Name]['check']>;
};

/** The options that together make `hashers`. */
type HasherOptionName = 'hasher' | 'bcryptRounds' | 'pbkdf2Iterations' | 'sha256Pepper';

/**
 * The options in force: every default applied, every value checked. Durations are in
 * milliseconds, named `…Ms…` where the option is `…Seconds…` (`cacheTtlSeconds` → `cacheTtlMs`);
 * an option with no default and no value is `null`; `hasher`, `bcryptRounds`, `pbkdf2Iterations`
 * and `sha256Pepper` become `hashers`.
 */
export type ResolvedKeysmithOptions = Omit<CheckedOptions, HasherOptionName> & { readonly hashers: HasherRegistry };

const EXTRAS_NAMES = new Set(['isGlobal', 'dataSource', 'tables']);

const deprecationsWarned = new Set<string>();

/** Applies the defaults and validates; throws `KeysmithConfigurationError` naming the option. */
export function resolveKeysmithOptions(options: KeysmithModuleOptions = {}): ResolvedKeysmithOptions {
  if (typeof options !== 'object' || options === null) {
    throw new KeysmithConfigurationError('options', 'expected an object.');
  }
  const all = checkEach(withCurrentNames(options));
  checkTogether(all);
  const { hasher, bcryptRounds, pbkdf2Iterations, sha256Pepper, ...checked } = all;
  const builtIns: Record<HasherName, TokenHasher> = {
    bcrypt: new BcryptHasher(bcryptRounds),
    pbkdf2_sha512: new Pbkdf2Sha512Hasher(pbkdf2Iterations),
    sha256: new Sha256Hasher(sha256Pepper ?? ''),
  };
  const current = typeof hasher === 'string' ? builtIns[hasher] : hasher;
  return { ...checked, hashers: new HasherRegistry(current, Object.values(builtIns), checked.hashConcurrency) };
}

/** The rules between options, once each option is checked on its own. */
function checkTogether(options: CheckedOptions): void {
  // A secret is hashed alone, and base62 takes one byte a character.
  if (options.hasher === 'bcrypt' && options.secretLength > BCRYPT_MAX_INPUT_BYTES) {
    throw new KeysmithConfigurationError(
      'secretLength',
      `${options.secretLength} with hasher 'bcrypt', which checks only the first ${BCRYPT_MAX_INPUT_BYTES} characters of a secret; ` +
        `use a secretLength of at most ${BCRYPT_MAX_INPUT_BYTES}, or hasher 'pbkdf2_sha512' or 'sha256'.`,
    );
  }
  const outside = options.defaultScopes.filter((scope) => options.availableScopes.length > 0 && !options.availableScopes.includes(scope));
  if (outside.length > 0) {
    throw new KeysmithConfigurationError(
      'defaultScopes',
      `${outside.map((s) => `"${s}"`).join(', ')} not in availableScopes; add it there or remove it.`,
    );
  }
  const unknownLimit = Object.keys(options.maxExpiryDaysByScope).find((scope) => !isAvailable(scope, options.availableScopes));
  if (unknownLimit !== undefined) {
    throw new KeysmithConfigurationError(
      `maxExpiryDaysByScope['${unknownLimit}']`,
      'no such scope in availableScopes; fix the name or add the scope there.',
    );
  }
}

/** Refuses unknown names and extras; gives a deprecated name's value to its replacement. */
function withCurrentNames(options: KeysmithModuleOptions): Partial<Record<CurrentOptionName, unknown>> {
  const given: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (EXTRAS_NAMES.has(name)) {
      throw new KeysmithConfigurationError(
        name,
        'it shapes the module graph, so give it to forRootAsync({ ' + name + ', useFactory }) beside the factory, not in its result.',
      );
    }
    if (Object.hasOwn(DEPRECATED_OPTIONS, name)) continue;
    if (!Object.hasOwn(KEYSMITH_OPTION_TABLE, name)) {
      throw new KeysmithConfigurationError(name, `no such option. Known options: ${Object.keys(KEYSMITH_OPTION_TABLE).join(', ')}.`);
    }
    given[name] = value;
  }
  for (const [name, deprecated] of Object.entries(DEPRECATED_OPTIONS) as [string, DeprecatedOption][]) {
    const value = (options as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const { replacedBy } = deprecated;
    if (given[replacedBy] !== undefined) {
      throw new KeysmithConfigurationError(
        name,
        `it is the deprecated name of ${replacedBy}, which is given too; keep only ${replacedBy}.`,
      );
    }
    given[replacedBy] = deprecated.toReplacement(value, name);
    warnDeprecated(
      `"${name}" is deprecated; write ${replacedBy}: ${JSON.stringify(given[replacedBy])} instead of ${name}: ${JSON.stringify(value)}.`,
      name,
    );
  }
  return given;
}

function warnDeprecated(message: string, name: string): void {
  if (deprecationsWarned.has(name)) return;
  deprecationsWarned.add(name);
  new Logger(LOGGER_CONTEXT).warn(`KeysmithModule option ${message}`);
}

function checkEach(given: Partial<Record<CurrentOptionName, unknown>>): CheckedOptions {
  const checked: Record<string, unknown> = {};
  for (const [name, definition] of OPTION_DEFINITIONS) {
    const value = given[name];
    const absent = value === undefined || (value === null && !definition.acceptsNull);
    const checkedValue = definition.check(absent ? (definition.computeDefault?.() ?? definition.default) : value, name);
    if (definition.unit === 'seconds') checked[name.replace('Seconds', 'Ms')] = Math.round(1_000 * (checkedValue as number));
    else checked[name] = checkedValue;
  }
  return checked as CheckedOptions;
}
