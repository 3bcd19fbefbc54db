// Every KeysmithModule option, defined once. To add an option: add a row here and its property
// (with JSDoc and default) to KeysmithModuleOptions; the compiler checks both have the same names,
// and the README table test (test/unit/options-readme.spec.ts) tells you what to write there.
import { availableParallelism } from 'node:os';
import { DEFAULT_ERROR_MESSAGES } from '../keysmith.constants.js';
import { DEFAULT_BCRYPT_ROUNDS } from '../hashing/bcrypt.hasher.js';
import { DEFAULT_PBKDF2_ITERATIONS } from '../hashing/pbkdf2-sha512.hasher.js';
import { MAX_SECRET_LENGTH, MIN_SECRET_LENGTH } from '../token-format/token-format.js';
import { expiryWarningsOption } from '../notices/expiry-warnings-option.js';
import { maxExpiryDaysByScopeOption, maxExpiryDaysOption } from '../tokens/lifetime-options.js';
import { defaultRateLimitOption } from '../limits/rate-limit.js';
import type {
  AuditFailurePolicy,
  AuditRequests,
  KeysmithModuleOptions,
  LimitsOnRedisError,
  RateLimitHook,
  ResolveUser,
  ThrottleHook,
} from './keysmith-options.interface.js';
import {
  type OptionCheck,
  aFunction,
  bool,
  errorMessages,
  expiryDays,
  fractionalNumber,
  hasherChoice,
  headerName,
  nonEmptyString,
  oneOf,
  optional,
  redisConnection,
  stringList,
  tokenNamespace,
  wholeNumber,
} from './option-checks.js';

export const AUDIT_FAILURE_POLICIES: readonly AuditFailurePolicy[] = ['drop', 'refuse'];
export const AUDIT_REQUESTS: readonly AuditRequests[] = ['all', 'failures'];
export const LIMITS_ON_REDIS_ERROR: readonly LimitsOnRedisError[] = ['allow', 'deny'];

// libuv's thread pool, where the built-in hashers run, holds at most this many threads.
const MAX_HASH_CONCURRENCY = 1_024;

/** How the CLI parses an option's `KEYSMITH_<OPTION_IN_SNAKE_CASE>` variable; `days` also takes `never`. */
export type EnvKind = 'string' | 'number' | 'list' | 'days';

export interface OptionDefinition<Given, Checked> {
  /** Applied when the option is not given (or given as `null`, unless `acceptsNull`). Absent: none. */
  readonly default?: Given;
  /** A default that depends on the machine, computed on each resolution. */
  readonly computeDefault?: () => Given;
  /** The README's default column, where the default's value alone does not say it. */
  readonly shownDefault?: string;
  /** `null` is a value of this option, not "use the default". */
  readonly acceptsNull?: true;
  /**
   * Durations only, all in seconds (`defaultExpiryDays` excepted). A `…Seconds…` option resolves to
   * milliseconds, as `…Ms…` (`cacheTtlSecondsWithoutRedis` → `cacheTtlMsWithoutRedis`).
   */
  readonly unit?: 'seconds' | 'days';
  readonly check: OptionCheck<Checked>;
  /** The README's meaning column: one line of Markdown. */
  readonly meaning: string;
  /** Set when the CLI reads the option from the environment. */
  readonly env?: EnvKind;
}

/** Old names that keep working: a startup warning names the new option. */
export type DeprecatedOptionName = Extract<keyof KeysmithModuleOptions, 'auditFlushIntervalMs'>;

/** The names of the table: every option but the deprecated ones. */
export type CurrentOptionName = Exclude<keyof KeysmithModuleOptions, DeprecatedOptionName>;

type UnitOf<Name extends string> = Name extends `${string}Seconds${string}`
  ? { readonly unit: 'seconds' }
  : Name extends `${string}Days`
    ? { readonly unit: 'days' }
    : { readonly unit?: never };

type OptionTable = {
  readonly [Name in CurrentOptionName]-?: OptionDefinition<NonNullable<KeysmithModuleOptions[Name]>, unknown> & UnitOf<Name>;
};

export const KEYSMITH_OPTION_TABLE = {
  header: {
    default: 'x-keysmith-token',
    check: headerName,
    meaning: 'Request header that carries the token (case-insensitive).',
  },
  allowQueryParam: {
    default: false,
    check: bool,
    meaning:
      'Also read the token from a query parameter. Query strings end up in access logs: leave it off unless a client cannot send headers.',
  },
  queryParamName: {
    default: 'keysmith_token',
    check: nonEmptyString,
    meaning: 'The query parameter, when `allowQueryParam` is on.',
  },
  tokenPrefix: {
    default: 'tok',
    check: tokenNamespace,
    meaning: 'Namespace of new tokens: 1 to 32 letters and digits, no `_` or `:`.',
    env: 'string',
  },
  secretLength: {
    default: 32,
    check: wholeNumber(MIN_SECRET_LENGTH, MAX_SECRET_LENGTH),
    meaning:
      "Random base62 characters in a new secret, 16 to 256; at most 72 with `hasher: 'bcrypt'`, which checks only a secret's first 72 bytes.",
    env: 'number',
  },
  defaultExpiryDays: {
    default: 90,
    acceptsNull: true,
    unit: 'days',
    check: expiryDays,
    meaning: 'Expiry of a token created without `expiresAt`; `null` or `0`: never.',
    env: 'days',
  },
  maxExpiryDays: {
    unit: 'days',
    check: maxExpiryDaysOption,
    meaning:
      'Longest lifetime of a token: a create or update asking for a later expiry, or for none, is refused with `KeysmithValidationError` naming the limit; a token created without `expiresAt` gets the default expiry shortened to it.',
    env: 'number',
  },
  maxExpiryDaysByScope: {
    default: {},
    shownDefault: '`{}`',
    check: maxExpiryDaysByScopeOption,
    meaning:
      "Longest lifetime of a token holding a scope, by scope: `{ 'keysmith:admin': 30 }`; the strictest of these and `maxExpiryDays` applies. Each scope must be in `availableScopes` when that is set.",
  },
  hasher: {
    default: 'bcrypt',
    check: hasherChoice,
    meaning: "`'bcrypt'`, `'pbkdf2_sha512'`, `'sha256'`, or an object implementing `TokenHasher`.",
    env: 'string',
  },
  bcryptRounds: {
    default: DEFAULT_BCRYPT_ROUNDS,
    check: wholeNumber(4, 31),
    meaning: 'bcrypt cost, 4 to 31.',
    env: 'number',
  },
  pbkdf2Iterations: {
    default: DEFAULT_PBKDF2_ITERATIONS,
    check: wholeNumber(1_000, 100_000_000),
    meaning: 'PBKDF2-SHA512 iterations for new hashes, at least 1,000.',
    env: 'number',
  },
  sha256Pepper: {
    check: optional(nonEmptyString),
    meaning: 'Server-side HMAC key of `sha256` hashes.',
    env: 'string',
  },
  hashConcurrency: {
    // One core is left to the event loop, so requests that need no hash are not kept waiting for a CPU.
    computeDefault: () => Math.max(1, availableParallelism() - 1),
    shownDefault: 'CPUs − 1, at least `1`',
    check: wholeNumber(1, MAX_HASH_CONCURRENCY),
    meaning:
      'Most hash computations (hashes and verifications, decoys and custom `TokenHasher`s included) running at once, 1 to 1,024; the others wait their turn, first come, first served. The free core keeps the event loop responsive during a burst of cold verifications. Raise it on a machine with spare cores; past 4, the built-in hashers also need a larger `UV_THREADPOOL_SIZE`.',
  },
  availableScopes: {
    default: [],
    check: stringList,
    meaning: 'Scopes a token may have; empty allows any.',
    env: 'list',
  },
  defaultScopes: {
    default: [],
    check: stringList,
    meaning: 'Scopes of a token created without `scopes`; each must be in `availableScopes` when that is set.',
    env: 'list',
  },
  maxMetadataBytes: {
    default: 4_096,
    check: wholeNumber(1, 65_535),
    meaning:
      "Largest `metadata` of a token, in bytes of its JSON, 1 to 65,535 (what MySQL's `TEXT` column holds); a larger one is refused with `KeysmithValidationError`.",
    env: 'number',
  },
  auditLogging: {
    default: true,
    check: bool,
    meaning: 'Write the audit log.',
  },
  errorMessages: {
    default: DEFAULT_ERROR_MESSAGES,
    shownDefault: 'see below',
    check: errorMessages,
    meaning: '`{ missingToken, invalidToken, insufficientScope, ipNotAllowed, rateLimited }`, any subset.',
  },
  rateLimitHook: {
    check: optional(aFunction<RateLimitHook>()),
    meaning: '`(request, rawToken) => void | boolean | Promise<…>`, before authentication. Throw or return `false`: 429.',
  },
  throttleHook: {
    check: optional(aFunction<ThrottleHook>()),
    meaning: '`(request, token) => void | boolean | Promise<…>`, after authentication. Throw or return `false`: 429.',
  },
  resolveUser: {
    check: optional(aFunction<ResolveUser>()),
    meaning: '`(userId, token) => user | Promise<user>`: the user handed to `@KeysmithUser()`.',
  },
  cacheTtlSeconds: {
    default: 60,
    unit: 'seconds',
    check: wholeNumber(0, 86_400),
    meaning:
      'How long a verified token (and the user `resolveUser` gave for it) is accepted from memory, with no query and no hash (its expiry is still checked on every request); concurrent misses of one raw token share one verification; `0` turns the cache off.',
  },
  cacheMaxEntries: {
    default: 10_000,
    check: wholeNumber(1, 10_000_000),
    meaning: 'Most tokens in the cache; the least recently used go first.',
  },
  redis: {
    check: optional(redisConnection),
    meaning:
      'A Redis URL or an ioredis client: rotate, revoke and purge then drop the token from the cache of every instance at once, and `failedAttemptsLimit` is counted for every instance together. Needs `ioredis` for a URL.',
    env: 'string',
  },
  cacheTtlSecondsWithoutRedis: {
    default: 5,
    unit: 'seconds',
    check: wholeNumber(1, 86_400),
    meaning:
      'With `redis`: how long a verified token is accepted from memory while this instance cannot be sure it heard every change announced by the others (Redis unreachable, or no answer to its ping on the subscribing connection for that long; it pings every second), so a token revoked elsewhere meanwhile is refused here within this time; once the subscription is back, every cached verification is dropped. 1 to 86,400.',
  },
  disconnectOnRevoke: {
    default: false,
    check: bool,
    meaning:
      'Disconnect a Socket.IO client whose token stops authenticating (revoked, purged, disabled, or rotated without grace), on every instance with `redis`. Needs `KeysmithIoAdapter`, which also checks the token at the handshake.',
  },
  lastUsedIntervalSeconds: {
    default: 60,
    unit: 'seconds',
    check: wholeNumber(0, 86_400),
    meaning: '`lastUsedAt` is written at most once per token per interval, in one batched UPDATE.',
  },
  auditBatchSize: {
    default: 100,
    check: wholeNumber(1, 1_000),
    meaning: 'Request audit rows are written in multi-row INSERTs of up to this many rows.',
  },
  auditFlushIntervalSeconds: {
    default: 1,
    unit: 'seconds',
    check: fractionalNumber(0.001, 60),
    meaning: 'Buffered audit rows are written at least this often, and at shutdown; 0.001 to 60, fractions allowed (`0.05`).',
  },
  auditMaxBuffered: {
    default: 10_000,
    check: wholeNumber(1, 10_000_000),
    meaning:
      'Most audit rows held while the database is slow or down, the batch being tried included; once it is full, `auditOnFailure` decides.',
  },
  auditOnFailure: {
    default: 'drop',
    check: oneOf(AUDIT_FAILURE_POLICIES),
    meaning:
      "When the buffer is full and the database still does not take rows: `'drop'` serves the request and counts its row as lost, `'refuse'` answers 503 instead of serving a request it cannot audit.",
  },
  auditRetentionDays: {
    unit: 'days',
    check: optional(wholeNumber(1, 36_500)),
    meaning:
      'Days an audit row is kept: every hour one instance (claimed in `keysmith_claim`) deletes older rows in batches of 1,000; none: kept forever. See [Audit retention](#audit-retention).',
  },
  auditRequests: {
    default: 'all',
    check: oneOf(AUDIT_REQUESTS),
    meaning:
      "Which guarded requests get an audit row: `'all'`, or `'failures'` for refusals only, successes being read from the usage counts (see [Usage](#usage)); lifecycle rows are always written.",
  },
  usageRetentionDays: {
    unit: 'days',
    check: optional(wholeNumber(1, 36_500)),
    meaning:
      'Days a minute of token usage is kept: every hour one instance (claimed in `keysmith_claim`) deletes older minutes in batches; none: kept forever. See [Usage](#usage).',
  },
  failedAttemptsLimit: {
    default: 10,
    check: wholeNumber(0, 1_000_000),
    meaning:
      'Wrong secrets for one prefix from one client IP after which that IP gets 429 on that prefix without any hashing (attempts still running count); a secret already proven (cached) is never refused; `0` turns it off. Counted in Redis for all instances together with `redis`, else per process.',
  },
  failedAttemptsWindowSeconds: {
    default: 300,
    unit: 'seconds',
    check: wholeNumber(1, 86_400),
    meaning: 'The window of `failedAttemptsLimit`.',
  },
  defaultRateLimit: {
    shownDefault: 'none',
    check: defaultRateLimitOption,
    meaning:
      '`{ limit, windowSeconds }`: the rate limit of every token without one of its own (see [Rate limits](#rate-limits)); whole numbers, both at least 1.',
  },
  limitsOnRedisError: {
    default: 'allow',
    check: oneOf(LIMITS_ON_REDIS_ERROR),
    meaning:
      "With `redis`, while Redis does not answer the limits kept there (within 1 s): `'allow'` lets requests through (wrong secrets are then counted per process, as without `redis`; rate limits and quotas go uncounted, without `RateLimit-*` headers), `'deny'` answers 429 `rateLimited` (audited `reason: \"limits_unavailable\"`) to every secret not yet proven and to every request of a token with a rate limit or a quota; a proven (cached) secret of a token without either is served either way. Logged once per outage.",
  },
  expiryWarnings: {
    shownDefault: 'off',
    check: expiryWarningsOption,
    meaning:
      '`{ daysBefore: [7, 1], scanIntervalSeconds: 3600 }` (either may be left out): every `scanIntervalSeconds`, send `keysmith.token.expiring` once per token and threshold of `daysBefore` it reached, and `keysmith.token.expired` once its expiry passed (within the last 7 days), with audit rows `expiry_warning` and `expired`; one instance sends each, however many run.',
  },
} satisfies OptionTable;

/** The table's rows in order, for code that goes through every option. */
export const OPTION_DEFINITIONS = Object.entries(KEYSMITH_OPTION_TABLE) as ReadonlyArray<
  [CurrentOptionName, OptionDefinition<unknown, unknown>]
>;

export interface DeprecatedOption {
  readonly replacedBy: CurrentOptionName;
  /** Checks a value given under the old name and converts it to the new option's value. */
  readonly toReplacement: OptionCheck<unknown>;
}

export const DEPRECATED_OPTIONS = {
  auditFlushIntervalMs: {
    replacedBy: 'auditFlushIntervalSeconds',
    toReplacement: (value, option) => wholeNumber(1, 60_000)(value, option) / 1_000,
  },
} satisfies Record<DeprecatedOptionName, DeprecatedOption>;
