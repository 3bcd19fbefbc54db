import { DEFAULT_ERROR_MESSAGES } from '../keysmith.constants.js';
import { KeysmithConfigurationError } from '../errors/keysmith-configuration.error.js';
import type { TokenHasher } from '../hashing/token-hasher.js';
import { NAMESPACE_PATTERN } from '../token-format/token-format.js';
import type { HasherName, KeysmithErrorMessages, RedisClientLike } from './keysmith-options.interface.js';

/**
 * Checks one option's value (its default when it was not given) and returns it as the library
 * uses it; throws `KeysmithConfigurationError` naming `option`.
 */
export type OptionCheck<Checked> = (value: unknown, option: string) => Checked;

export const BUILT_IN_HASHERS: readonly HasherName[] = ['bcrypt', 'pbkdf2_sha512', 'sha256'];

const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ALGORITHM_PATTERN = /^[a-z0-9_]+$/;

export function wholeNumber(min: number, max: number): OptionCheck<number> {
  return (value, option) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new KeysmithConfigurationError(option, `expected a whole number from ${min} to ${max}; got ${show(value)}.`);
    }
    return value;
  };
}

/** A number that may have a fraction, such as `0.05` seconds. */
export function fractionalNumber(min: number, max: number): OptionCheck<number> {
  return (value, option) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new KeysmithConfigurationError(option, `expected a number from ${min} to ${max}; got ${show(value)}.`);
    }
    return value;
  };
}

export function oneOf<T extends string>(allowed: readonly T[]): OptionCheck<T> {
  return (value, option) => {
    if (!allowed.includes(value as T)) {
      throw new KeysmithConfigurationError(option, `expected ${allowed.map((v) => `"${v}"`).join(' or ')}; got ${show(value)}.`);
    }
    return value as T;
  };
}

export const bool: OptionCheck<boolean> = (value, option) => {
  if (typeof value !== 'boolean') throw new KeysmithConfigurationError(option, `expected true or false; got ${show(value)}.`);
  return value;
};

export const nonEmptyString: OptionCheck<string> = (value, option) => {
  if (typeof value !== 'string' || value.length === 0) {
    throw new KeysmithConfigurationError(option, `expected a non-empty string; got ${show(value)}.`);
  }
  return value;
};

/** Absent (`undefined` or `null`) becomes `null`; anything else goes through `check`. */
export function optional<T>(check: OptionCheck<T>): OptionCheck<T | null> {
  return (value, option) => (value === undefined || value === null ? null : check(value, option));
}

export function aFunction<T extends (...args: never[]) => unknown>(): OptionCheck<T> {
  return (value, option) => {
    if (typeof value !== 'function') throw new KeysmithConfigurationError(option, `expected a function; got ${show(value)}.`);
    return value as T;
  };
}

export const stringList: OptionCheck<readonly string[]> = (value, option) => {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new KeysmithConfigurationError(option, `expected an array of non-empty strings; got ${show(value)}.`);
  }
  return Object.freeze([...new Set(value as string[])]);
};

/** Lowercased, as Node presents request headers. */
export const headerName: OptionCheck<string> = (value, option) => {
  if (typeof value !== 'string' || !HEADER_NAME_PATTERN.test(value)) {
    throw new KeysmithConfigurationError(option, `expected an HTTP header name such as "x-keysmith-token", got ${show(value)}.`);
  }
  return value.toLowerCase();
};

export const tokenNamespace: OptionCheck<string> = (value, option) => {
  if (typeof value !== 'string' || !NAMESPACE_PATTERN.test(value)) {
    throw new KeysmithConfigurationError(
      option,
      `expected 1 to 32 letters and digits (no "_" or ":"), for example "myapp"; got ${show(value)}.`,
    );
  }
  return value;
};

/** `null` and `0` mean never. */
export const expiryDays: OptionCheck<number | null> = (value, option) => {
  if (value === null || value === 0) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new KeysmithConfigurationError(option, `expected a positive number of days, 0 or null; got ${show(value)}.`);
  }
  return value;
};

/** Any subset of the messages, laid over `DEFAULT_ERROR_MESSAGES`. */
export const errorMessages: OptionCheck<Readonly<KeysmithErrorMessages>> = (value, option) => {
  if (typeof value !== 'object' || value === null) {
    throw new KeysmithConfigurationError(option, 'expected an object of messages.');
  }
  for (const [key, message] of Object.entries(value)) {
    if (!Object.hasOwn(DEFAULT_ERROR_MESSAGES, key)) {
      throw new KeysmithConfigurationError(
        `${option}.${key}`,
        `no such message. Known messages: ${Object.keys(DEFAULT_ERROR_MESSAGES).join(', ')}.`,
      );
    }
    nonEmptyString(message, `${option}.${key}`);
  }
  return { ...DEFAULT_ERROR_MESSAGES, ...(value as Partial<KeysmithErrorMessages>) };
};

/** A Redis URL or a client with the methods the cache invalidation uses. */
export const redisConnection: OptionCheck<string | RedisClientLike> = (value, option) => {
  if (typeof value === 'string' && /^rediss?:\/\//.test(value)) return value;
  const client = value as Partial<RedisClientLike>;
  if (
    typeof value === 'object' &&
    value !== null &&
    ['publish', 'subscribe', 'ping', 'eval', 'on', 'duplicate', 'quit'].every(
      (m) => typeof client[m as keyof RedisClientLike] === 'function',
    )
  ) {
    return value as RedisClientLike;
  }
  throw new KeysmithConfigurationError(option, 'expected a URL such as "redis://127.0.0.1:6379" or an ioredis client.');
};

/** A built-in hasher's name, or a `TokenHasher` whose algorithm is a name of its own. */
export const hasherChoice: OptionCheck<HasherName | TokenHasher> = (value, option) => {
  if (typeof value === 'string') {
    if (!BUILT_IN_HASHERS.includes(value as HasherName)) {
      throw new KeysmithConfigurationError(
        option,
        `unknown hasher "${value}"; use ${BUILT_IN_HASHERS.map((n) => `"${n}"`).join(', ')} or a TokenHasher instance.`,
      );
    }
    return value as HasherName;
  }
  const hasher = value as Partial<TokenHasher> | null;
  if (
    typeof hasher !== 'object' ||
    hasher === null ||
    typeof hasher.hash !== 'function' ||
    typeof hasher.verify !== 'function' ||
    typeof hasher.algorithm !== 'string' ||
    !ALGORITHM_PATTERN.test(hasher.algorithm)
  ) {
    throw new KeysmithConfigurationError(
      option,
      'expected a built-in name or an object with an `algorithm` (lowercase letters, digits, _) and async `hash` and `verify` methods.',
    );
  }
  if (BUILT_IN_HASHERS.includes(hasher.algorithm as HasherName)) {
    throw new KeysmithConfigurationError(
      option,
      `a custom hasher cannot reuse the built-in algorithm name "${hasher.algorithm}"; give it a name of its own.`,
    );
  }
  return hasher as TokenHasher;
};

export function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}
