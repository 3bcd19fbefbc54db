import type { DataSource, DataSourceOptions } from 'typeorm';
import type { Token } from '../entities/token.entity.js';
import type { TokenHasher } from '../hashing/token-hasher.js';
import type { RateLimit } from '../limits/rate-limit.js';

/** What happens to a request once its audit row can no longer be kept (`auditOnFailure`). */
export type AuditFailurePolicy = 'drop' | 'refuse';

/** Which guarded requests get an audit row (`auditRequests`). */
export type AuditRequests = 'all' | 'failures';

/** What a limit does while Redis does not answer (`limitsOnRedisError`). */
export type LimitsOnRedisError = 'allow' | 'deny';

/** Names of the built-in hashers. */
export type HasherName = 'bcrypt' | 'pbkdf2_sha512' | 'sha256';

/** Response bodies of the guard. */
export interface KeysmithErrorMessages {
  /** 401 when no token was sent. */
  missingToken: string;
  /** 401 for a malformed, unknown, wrong, revoked or expired token: the body never says which. */
  invalidToken: string;
  /** 403 when the token lacks a scope the route requires. */
  insufficientScope: string;
  /** 403 when the token has `allowedIps` and the request comes from elsewhere. */
  ipNotAllowed: string;
  /** 429 when `rateLimitHook` or `throttleHook` blocks the request, or the token is over its rate limit. */
  rateLimited: string;
}

/**
 * Runs before authentication with the raw token as sent. Throw (or return `false`) to answer 429.
 * Never log `rawToken`: it is the credential.
 */
export type RateLimitHook = (request: any, rawToken: string) => void | boolean | Promise<void | boolean>;

/** Runs after authentication with the token. Throw (or return `false`) to answer 429. */
export type ThrottleHook = (request: any, token: Token) => void | boolean | Promise<void | boolean>;

/**
 * The part of an ioredis client the cache invalidation uses: a client of your own (ioredis, or
 * one with the same methods) instead of a URL.
 */
export interface RedisClientLike {
  publish(channel: string, message: string): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready' | 'close', listener: () => void): unknown;
  ping(): Promise<unknown>;
  eval(script: string, numberOfKeys: number, ...keysAndArgs: Array<string | number>): Promise<unknown>;
  duplicate(): RedisClientLike;
  quit(): Promise<unknown>;
}

/** Turns a token's `userId` into the user handed to `@KeysmithUser()`. */
export type ResolveUser<User = unknown> = (userId: string, token: Token) => User | Promise<User>;

/** `expiryWarnings`: when to warn that a token expires, and how often to look. */
export interface ExpiryWarningsOptions {
  /** Days before its expiry at which a token gets one `keysmith.token.expiring` each. Default `[7, 1]`. */
  daysBefore?: number[];
  /** How often each instance looks for tokens to warn about, in seconds (fractions allowed). Default `3600`. */
  scanIntervalSeconds?: number;
}

/** Options of `KeysmithModule.forRoot()` and of the `forRootAsync()` factory. All are optional. */
export interface KeysmithModuleOptions {
  /** Request header that carries the token. Default `'x-keysmith-token'`. */
  header?: string;
  /** Also accept the token from a query parameter. Default `false`. */
  allowQueryParam?: boolean;
  /** Query parameter read when `allowQueryParam` is on. Default `'keysmith_token'`. */
  queryParamName?: string;
  /** Namespace written in front of new tokens (`<tokenPrefix>_<identifier>`): letters and digits. Default `'tok'`. */
  tokenPrefix?: string;
  /** Length of the random secret of new tokens, 16 to 256; at most 72 with the `'bcrypt'` hasher. Default `32`. */
  secretLength?: number;
  /** Days until a new token expires when `create` is given no `expiresAt`; `null` or `0`: never. Default `90`. */
  defaultExpiryDays?: number | null;
  /**
   * Longest lifetime of a token, in days: a create (or update) asking for a later expiry, or for
   * none, is refused with `KeysmithValidationError`; a token created without `expiresAt` gets the
   * default expiry shortened to it. Default none.
   */
  maxExpiryDays?: number;
  /**
   * Longest lifetime of a token holding a scope, in days, by scope (`{ 'keysmith:admin': 30 }`);
   * the strictest of these and `maxExpiryDays` applies. Default `{}`.
   */
  maxExpiryDaysByScope?: Record<string, number>;
  /** Hasher for new secrets: `'bcrypt'`, `'pbkdf2_sha512'`, `'sha256'` or a `TokenHasher`. Default `'bcrypt'`. */
  hasher?: HasherName | TokenHasher;
  /** bcrypt cost factor (4 to 31). Default `10`. */
  bcryptRounds?: number;
  /** PBKDF2-SHA512 iterations for new hashes (at least 1,000). Default `100000`. */
  pbkdf2Iterations?: number;
  /** Server-side secret mixed into `sha256` hashes (HMAC key). Default none. */
  sha256Pepper?: string;
  /**
   * Most hash computations (hash or verify, a custom `TokenHasher`'s too) that run at once, 1 to
   * 1,024; the rest wait their turn. Default: the number of CPUs minus one, at least `1`, which
   * leaves a core to the event loop.
   */
  hashConcurrency?: number;
  /** Scopes a token may have; empty allows any. Default `[]`. */
  availableScopes?: string[];
  /** Scopes of a token created without `scopes`. Default `[]`. */
  defaultScopes?: string[];
  /** Largest `metadata` of a token, in bytes of its JSON (1 to 65,535). Default `4096`. */
  maxMetadataBytes?: number;
  /** Write audit rows for lifecycle actions and authentication attempts. Default `true`. */
  auditLogging?: boolean;
  /** Overrides of the guard's response messages. Default `DEFAULT_ERROR_MESSAGES`. */
  errorMessages?: Partial<KeysmithErrorMessages>;
  /** Seconds a verified token is accepted from memory without a query or a hash; `0` turns the cache off. Default `60`. */
  cacheTtlSeconds?: number;
  /** Most tokens the verification cache holds (least recently used out first). Default `10000`. */
  cacheMaxEntries?: number;
  /**
   * Redis URL or ioredis client. With it, rotate, revoke and purge tell every instance to drop
   * the token from its cache at once; without it, another instance may accept a revoked token
   * for up to `cacheTtlSeconds`. Needs the `ioredis` package for a URL. Default none.
   */
  redis?: string | RedisClientLike;
  /**
   * With `redis`: seconds a verified token is accepted from memory while this instance cannot be
   * sure it heard every change the others announced (Redis unreachable or not answering); once the
   * subscription is back, every cached verification is dropped. 1 to 86400. Default `5`.
   */
  cacheTtlSecondsWithoutRedis?: number;
  /**
   * Disconnect a Socket.IO client (connected through `KeysmithIoAdapter`) once its token stops
   * authenticating: revoked, purged, disabled, or rotated without grace; on every instance with
   * `redis`. Default `false`.
   */
  disconnectOnRevoke?: boolean;
  /** `lastUsedAt` is written at most once per token per this many seconds. Default `60`. */
  lastUsedIntervalSeconds?: number;
  /** Audit rows from requests are written in multi-row INSERTs of up to this many rows. Default `100`. */
  auditBatchSize?: number;
  /** Buffered audit rows are written at least this often, in seconds (fractions allowed, e.g. `0.05`). Default `1`. */
  auditFlushIntervalSeconds?: number;
  /** @deprecated Use `auditFlushIntervalSeconds` (in seconds): `auditFlushIntervalMs: 50` is `auditFlushIntervalSeconds: 0.05`. */
  auditFlushIntervalMs?: number;
  /**
   * Most audit rows held while the database is slow or down, the batch being tried included; once
   * it is full, `auditOnFailure` decides. Default `10000`.
   */
  auditMaxBuffered?: number;
  /**
   * When the buffer is full and the database still does not take rows: `'drop'` serves the request
   * and counts its row as lost, `'refuse'` answers 503 instead of serving a request it cannot audit.
   * Default `'drop'`.
   */
  auditOnFailure?: AuditFailurePolicy;
  /**
   * Days an audit row is kept: older rows are deleted in small batches, every hour, by one instance
   * at a time (claimed in `keysmith_claim`). Default none: rows are kept forever.
   */
  auditRetentionDays?: number;
  /**
   * Which guarded requests get an audit row: `'all'`, or `'failures'` for refusals only (successes
   * are then read from `TokenService.usage()`). Lifecycle rows are always written. Default `'all'`.
   */
  auditRequests?: AuditRequests;
  /**
   * Days a minute of token usage (`keysmith_token_usage`) is kept: older minutes are deleted every
   * hour by one instance at a time (claimed in `keysmith_claim`). Default none: kept forever.
   */
  usageRetentionDays?: number;
  /**
   * Failed secrets for one prefix from one client IP within `failedAttemptsWindowSeconds` after
   * which that IP's further attempts on that prefix get 429 without any hashing; `0` turns it off.
   * Default `10`.
   */
  failedAttemptsLimit?: number;
  /** The window of `failedAttemptsLimit`, in seconds. Default `300`. */
  failedAttemptsWindowSeconds?: number;
  /**
   * The rate limit of every token that has none of its own: at most `limit` guarded requests per
   * `windowSeconds`. Default none.
   */
  defaultRateLimit?: RateLimit;
  /**
   * While Redis does not answer the limits kept there (with `redis`): `'allow'` lets requests
   * through (wrong secrets are then counted per process, as without `redis`; rate limits and
   * quotas go uncounted), `'deny'` answers 429 to every secret not yet proven and to every request
   * of a token with a rate limit or a quota. Logged once per outage. Default `'allow'`.
   */
  limitsOnRedisError?: LimitsOnRedisError;
  /**
   * Warn before tokens expire: `keysmith.token.expiring` once per token and threshold, and
   * `keysmith.token.expired` once the expiry passes, sent by one instance however many run (the
   * claim is a row in `keysmith_token_notice`). Default off.
   */
  expiryWarnings?: ExpiryWarningsOptions;
  /** Runs before authentication; blocks with 429. Default none. */
  rateLimitHook?: RateLimitHook;
  /** Runs after authentication; blocks with 429. Default none. */
  throttleHook?: ThrottleHook;
  /** Resolves the user of a token for `@KeysmithUser()`. Default none (the user is `null`). */
  resolveUser?: ResolveUser;
}

/** Settings that shape the module graph: given beside the options, also to `forRootAsync`. */
export interface KeysmithModuleExtras {
  /** Register the module globally, so any module can use the guard and the service. Default `true`. */
  isGlobal?: boolean;
  /** TypeORM data source (its name, or as given to `TypeOrmModule.forRoot`). Default: the default connection. */
  dataSource?: DataSource | DataSourceOptions | string;
  /**
   * Whose tables hold the tokens: `'nestjs-keysmith'` (the default), this package's, or
   * `'django-keysmith'`, the tables of a django-keysmith database as Django's migrations made them.
   */
  tables?: KeysmithTables;
}

/** The value of `tables`. */
export type KeysmithTables = 'nestjs-keysmith' | 'django-keysmith';
