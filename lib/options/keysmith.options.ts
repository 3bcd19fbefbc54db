import { availableParallelism } from 'node:os';
import { DEFAULT_ERROR_MESSAGES } from '../keysmith.constants.js';
import { KeysmithConfigurationError } from '../errors/keysmith-configuration.error.js';
import { BcryptHasher, DEFAULT_BCRYPT_ROUNDS } from '../hashing/bcrypt.hasher.js';
import { HasherRegistry } from '../hashing/hasher-registry.js';
import { DEFAULT_PBKDF2_ITERATIONS, Pbkdf2Sha512Hasher } from '../hashing/pbkdf2-sha512.hasher.js';
import { Sha256Hasher } from '../hashing/sha256.hasher.js';
import {
  AUDIT_FAILURE_POLICIES,
  type AuditFailurePolicy,
  type HasherName,
  KeysmithErrorMessages,
  KeysmithModuleOptions,
  RateLimitHook,
  RedisClientLike,
  ResolveUser,
  ThrottleHook,
} from './keysmith-options.interface.js';
import type { TokenHasher } from '../hashing/token-hasher.js';
import { MAX_SECRET_LENGTH, MIN_SECRET_LENGTH, NAMESPACE_PATTERN } from '../token-format/token-format.js';

/** The options in force: every default applied, every value checked. */
export interface ResolvedKeysmithOptions {
  /** Lowercase, as Node presents request headers. */
  header: string;
  allowQueryParam: boolean;
  queryParamName: string;
  tokenPrefix: string;
  secretLength: number;
  defaultExpiryDays: number | null;
  hashers: HasherRegistry;
  hashConcurrency: number;
  availableScopes: readonly string[];
  defaultScopes: readonly string[];
  auditLogging: boolean;
  errorMessages: Readonly<KeysmithErrorMessages>;
  rateLimitHook: RateLimitHook | null;
  throttleHook: ThrottleHook | null;
  resolveUser: ResolveUser | null;
  cacheTtlMs: number;
  cacheMaxEntries: number;
  redis: string | RedisClientLike | null;
  lastUsedIntervalMs: number;
  auditBatchSize: number;
  auditFlushIntervalMs: number;
  auditMaxBuffered: number;
  auditOnFailure: AuditFailurePolicy;
  failedAttemptsLimit: number;
  failedAttemptsWindowMs: number;
}

const OPTION_NAMES: ReadonlySet<string> = new Set<keyof KeysmithModuleOptions>([
  'header',
  'allowQueryParam',
  'queryParamName',
  'tokenPrefix',
  'secretLength',
  'defaultExpiryDays',
  'hasher',
  'bcryptRounds',
  'pbkdf2Iterations',
  'sha256Pepper',
  'hashConcurrency',
  'availableScopes',
  'defaultScopes',
  'auditLogging',
  'errorMessages',
  'rateLimitHook',
  'throttleHook',
  'resolveUser',
  'cacheTtlSeconds',
  'cacheMaxEntries',
  'redis',
  'lastUsedIntervalSeconds',
  'auditBatchSize',
  'auditFlushIntervalMs',
  'auditMaxBuffered',
  'auditOnFailure',
  'failedAttemptsLimit',
  'failedAttemptsWindowSeconds',
]);

const EXTRAS_NAMES = new Set(['isGlobal', 'dataSource']);

const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ALGORITHM_PATTERN = /^[a-z0-9_]+$/;
// libuv's thread pool, where the built-in hashers run, holds at most this many threads.
const MAX_HASH_CONCURRENCY = 1_024;

/** Applies the defaults and validates; throws `KeysmithConfigurationError` naming the option. */
export function resolveKeysmithOptions(options: KeysmithModuleOptions = {}): ResolvedKeysmithOptions {
  if (typeof options !== 'object' || options === null) {
    throw new KeysmithConfigurationError('options', 'expected an object.');
  }
  for (const name of Object.keys(options)) {
    if (EXTRAS_NAMES.has(name)) {
      throw new KeysmithConfigurationError(
        name,
        'it shapes the module graph, so give it to forRootAsync({ ' + name + ', useFactory }) beside the factory, not in its result.',
      );
    }
    if (!OPTION_NAMES.has(name)) {
      throw new KeysmithConfigurationError(name, `no such option. Known options: ${[...OPTION_NAMES].join(', ')}.`);
    }
  }

  const availableScopes = stringList('availableScopes', options.availableScopes ?? []);
  const defaultScopes = stringList('defaultScopes', options.defaultScopes ?? []);
  const outside = defaultScopes.filter((scope) => availableScopes.length > 0 && !availableScopes.includes(scope));
  if (outside.length > 0) {
    throw new KeysmithConfigurationError(
      'defaultScopes',
      `${outside.map((s) => `"${s}"`).join(', ')} not in availableScopes; add it there or remove it.`,
    );
  }

  // One core is left to the event loop, so requests that need no hash are not kept waiting for a CPU.
  const defaultHashConcurrency = Math.max(1, availableParallelism() - 1);
  const hashConcurrency = integer('hashConcurrency', options.hashConcurrency ?? defaultHashConcurrency, 1, MAX_HASH_CONCURRENCY);

  return {
    header: headerName(options.header ?? 'x-keysmith-token'),
    allowQueryParam: bool('allowQueryParam', options.allowQueryParam ?? false),
    queryParamName: nonEmptyString('queryParamName', options.queryParamName ?? 'keysmith_token'),
    tokenPrefix: tokenPrefix(options.tokenPrefix ?? 'tok'),
    secretLength: integer('secretLength', options.secretLength ?? 32, MIN_SECRET_LENGTH, MAX_SECRET_LENGTH),
    defaultExpiryDays: expiryDays(options.defaultExpiryDays === undefined ? 90 : options.defaultExpiryDays),
    hashers: hasherRegistry(options, hashConcurrency),
    hashConcurrency,
    availableScopes,
    defaultScopes,
    auditLogging: bool('auditLogging', options.auditLogging ?? true),
    errorMessages: errorMessages(options.errorMessages ?? {}),
    rateLimitHook: optionalFunction('rateLimitHook', options.rateLimitHook),
    throttleHook: optionalFunction('throttleHook', options.throttleHook),
    resolveUser: optionalFunction('resolveUser', options.resolveUser),
    cacheTtlMs: 1000 * integer('cacheTtlSeconds', options.cacheTtlSeconds ?? 60, 0, 86_400),
    cacheMaxEntries: integer('cacheMaxEntries', options.cacheMaxEntries ?? 10_000, 1, 10_000_000),
    redis: redis(options.redis),
    lastUsedIntervalMs: 1000 * integer('lastUsedIntervalSeconds', options.lastUsedIntervalSeconds ?? 60, 0, 86_400),
    auditBatchSize: integer('auditBatchSize', options.auditBatchSize ?? 100, 1, 1_000),
    auditFlushIntervalMs: integer('auditFlushIntervalMs', options.auditFlushIntervalMs ?? 1_000, 1, 60_000),
    auditMaxBuffered: integer('auditMaxBuffered', options.auditMaxBuffered ?? 10_000, 1, 10_000_000),
    auditOnFailure: oneOf('auditOnFailure', options.auditOnFailure ?? 'drop', AUDIT_FAILURE_POLICIES),
    failedAttemptsLimit: integer('failedAttemptsLimit', options.failedAttemptsLimit ?? 10, 0, 1_000_000),
    failedAttemptsWindowMs: 1000 * integer('failedAttemptsWindowSeconds', options.failedAttemptsWindowSeconds ?? 300, 1, 86_400),
  };
}

function redis(value: unknown): string | RedisClientLike | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && /^rediss?:\/\//.test(value)) return value;
  const client = value as Partial<RedisClientLike>;
  if (
    typeof value === 'object' &&
    ['publish', 'subscribe', 'on', 'duplicate', 'quit'].every((m) => typeof client[m as keyof RedisClientLike] === 'function')
  ) {
    return value as RedisClientLike;
  }
  throw new KeysmithConfigurationError('redis', 'expected a URL such as "redis://127.0.0.1:6379" or an ioredis client.');
}

function hasherRegistry(options: KeysmithModuleOptions, hashConcurrency: number): HasherRegistry {
  const builtIns: Record<HasherName, TokenHasher> = {
    bcrypt: new BcryptHasher(integer('bcryptRounds', options.bcryptRounds ?? DEFAULT_BCRYPT_ROUNDS, 4, 31)),
    pbkdf2_sha512: new Pbkdf2Sha512Hasher(
      integer('pbkdf2Iterations', options.pbkdf2Iterations ?? DEFAULT_PBKDF2_ITERATIONS, 1_000, 100_000_000),
    ),
    sha256: new Sha256Hasher(options.sha256Pepper === undefined ? '' : nonEmptyString('sha256Pepper', options.sha256Pepper)),
  };
  const configured = options.hasher ?? 'bcrypt';
  if (typeof configured === 'string') {
    if (!Object.hasOwn(builtIns, configured)) {
      throw new KeysmithConfigurationError(
        'hasher',
        `unknown hasher "${configured}"; use ${Object.keys(builtIns)
          .map((n) => `"${n}"`)
          .join(', ')} or a TokenHasher instance.`,
      );
    }
    return new HasherRegistry(builtIns[configured], Object.values(builtIns), hashConcurrency);
  }
  if (
    typeof configured !== 'object' ||
    configured === null ||
    typeof configured.hash !== 'function' ||
    typeof configured.verify !== 'function' ||
    typeof configured.algorithm !== 'string' ||
    !ALGORITHM_PATTERN.test(configured.algorithm)
  ) {
    throw new KeysmithConfigurationError(
      'hasher',
      'expected a built-in name or an object with an `algorithm` (lowercase letters, digits, _) and async `hash` and `verify` methods.',
    );
  }
  if (Object.hasOwn(builtIns, configured.algorithm)) {
    throw new KeysmithConfigurationError(
      'hasher',
      `a custom hasher cannot reuse the built-in algorithm name "${configured.algorithm}"; give it a name of its own.`,
    );
  }
  return new HasherRegistry(configured, Object.values(builtIns), hashConcurrency);
}

function headerName(value: unknown): string {
  if (typeof value !== 'string' || !HEADER_NAME_PATTERN.test(value)) {
    throw new KeysmithConfigurationError('header', `expected an HTTP header name such as "x-keysmith-token", got ${show(value)}.`);
  }
  return value.toLowerCase();
}

function tokenPrefix(value: unknown): string {
  if (typeof value !== 'string' || !NAMESPACE_PATTERN.test(value)) {
    throw new KeysmithConfigurationError(
      'tokenPrefix',
      `expected 1 to 32 letters and digits (no "_" or ":"), for example "myapp"; got ${show(value)}.`,
    );
  }
  return value;
}

function expiryDays(value: unknown): number | null {
  if (value === null || value === 0) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new KeysmithConfigurationError('defaultExpiryDays', `expected a positive number of days, 0 or null; got ${show(value)}.`);
  }
  return value;
}

function errorMessages(value: unknown): KeysmithErrorMessages {
  if (typeof value !== 'object' || value === null) {
    throw new KeysmithConfigurationError('errorMessages', 'expected an object of messages.');
  }
  for (const [key, message] of Object.entries(value)) {
    if (!Object.hasOwn(DEFAULT_ERROR_MESSAGES, key)) {
      throw new KeysmithConfigurationError(
        `errorMessages.${key}`,
        `no such message. Known messages: ${Object.keys(DEFAULT_ERROR_MESSAGES).join(', ')}.`,
      );
    }
    nonEmptyString(`errorMessages.${key}`, message);
  }
  return { ...DEFAULT_ERROR_MESSAGES, ...(value as Partial<KeysmithErrorMessages>) };
}

function stringList(option: string, value: unknown): readonly string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.length > 0)) {
    throw new KeysmithConfigurationError(option, `expected an array of non-empty strings; got ${show(value)}.`);
  }
  return Object.freeze([...new Set(value as string[])]);
}

function integer(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new KeysmithConfigurationError(option, `expected a whole number from ${min} to ${max}; got ${show(value)}.`);
  }
  return value;
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new KeysmithConfigurationError(option, `expected ${allowed.map((v) => `"${v}"`).join(' or ')}; got ${show(value)}.`);
  }
  return value as T;
}

function bool(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new KeysmithConfigurationError(option, `expected true or false; got ${show(value)}.`);
  return value;
}

function nonEmptyString(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new KeysmithConfigurationError(option, `expected a non-empty string; got ${show(value)}.`);
  }
  return value;
}

function optionalFunction<T>(option: string, value: T | undefined): T | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'function') throw new KeysmithConfigurationError(option, `expected a function; got ${show(value)}.`);
  return value;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}
