import type { Token, TokenType } from '../entities/token.entity.js';
import type { Quota } from '../limits/quota.js';
import type { RateLimit } from '../limits/rate-limit.js';
import type { TokenMetadata } from './metadata.js';

/** A user or actor: an object with an `id`, or the id itself. */
export type UserRef = { id: string | number } | string | number;

/** The request a lifecycle action came from, for its audit row (Express or Fastify request). */
export type AuditRequest = unknown;

export interface CreateTokenInput {
  /** Up to 128 characters. */
  name: string;
  description?: string;
  /** Owner of the token; `userId` is the same given as an id. */
  user?: UserRef | null;
  userId?: string | number | null;
  /** Who created it (recorded as `createdById` and as the audit row's `extra.actor_id`). */
  createdBy?: UserRef | null;
  /** Defaults to `defaultScopes`; each must be in a non-empty `availableScopes`. */
  scopes?: string[];
  /** Omitted: the default expiry; `null`: never expires; a past date is accepted. */
  expiresAt?: Date | null;
  /** Default `'user'`. */
  tokenType?: TokenType;
  /** The application's own JSON object, at most `maxMetadataBytes` serialized. Default none (`null`). */
  metadata?: TokenMetadata | null;
  /**
   * IPv4 and IPv6 addresses and CIDR ranges (`203.0.113.7`, `10.0.0.0/8`, `2001:db8::/32`) the
   * token is accepted from; any other client address gets 403. Default none (`null`, or `[]`):
   * from anywhere.
   */
  allowedIps?: string[] | null;
  /**
   * At most `limit` guarded requests per `windowSeconds`, then 429. Default none (`null`): the
   * module's `defaultRateLimit`, if set.
   */
  rateLimit?: RateLimit | null;
  /**
   * Calls the token may make (`remaining`), given back every `refill.intervalSeconds` (the figure
   * becomes `refill.amount` again). Default none (`null`): unlimited.
   */
  quota?: Quota | null;
  request?: AuditRequest;
  /** Where the action came from, recorded as the audit row's `extra.source` (the CLI writes `cli`). */
  source?: string;
}

export interface CreatedToken {
  token: Token;
  /** The only time the raw token exists: show it once, never store it. */
  rawToken: string;
}

export interface LifecycleInput {
  /** Who acts (recorded as the audit row's `extra.actor_id`). */
  actor?: UserRef | null;
  request?: AuditRequest;
  /** Where the action came from, recorded as the audit row's `extra.source` (the CLI writes `cli`). */
  source?: string;
  /**
   * Where the token was found, recorded as the audit row's `extra.location` by `revoke()` and
   * `purge()` (`keysmith scan --revoke` writes `file:line`, the leak endpoint the report's URL).
   */
  location?: string;
}

export interface RotateInput extends LifecycleInput {
  /**
   * Seconds the previous secret keeps authenticating, ending at the token's expiry at the latest:
   * a whole number from 0 to 31,536,000 (365 days). Default `0`: it stops at once.
   */
  graceSeconds?: number;
}

/**
 * The fields `update()` changes: each one given is validated as `create()` does and replaces the
 * current value; those left out stay as they are.
 */
export interface UpdateTokenInput extends LifecycleInput {
  name?: string;
  description?: string;
  scopes?: string[];
  /** `null`: never expires. */
  expiresAt?: Date | null;
  /** `null` removes it. */
  metadata?: TokenMetadata | null;
  /** `null` or `[]`: from anywhere. */
  allowedIps?: string[] | null;
  /** `null` removes it (the module's `defaultRateLimit` applies again). */
  rateLimit?: RateLimit | null;
  /** Sets the quota afresh: its figure, and refill periods from now; `null` removes it. */
  quota?: Quota | null;
}

/** The fields `update()` can change, in the order its audit row names them. */
export const UPDATABLE_FIELDS = ['name', 'description', 'scopes', 'expiresAt', 'metadata', 'allowedIps', 'rateLimit'] as const;

export type UpdatableField = (typeof UPDATABLE_FIELDS)[number];

export interface RevokeInput extends LifecycleInput {
  /** Also mark the token purged (the same as `purge()`). */
  purge?: boolean;
}

/**
 * Where a token is in its lifecycle, the first that applies of `purged`, `revoked`, `disabled`,
 * `expired` and `active`: `revoked` excludes purged tokens, `disabled` both, `expired` all three.
 */
export type TokenState = 'active' | 'disabled' | 'expired' | 'revoked' | 'purged';

const STATES: Record<TokenState, true> = { active: true, disabled: true, expired: true, revoked: true, purged: true };

/** Every `TokenState`, as `list()`, the command line and the admin API take them. */
export const TOKEN_STATES = Object.keys(STATES) as readonly TokenState[];

/** Columns `TokenService.list()` can sort by. */
export type TokenSortField = 'createdAt' | 'name' | 'expiresAt' | 'lastUsedAt';

export const TOKEN_SORT_FIELDS: readonly TokenSortField[] = ['createdAt', 'name', 'expiresAt', 'lastUsedAt'];

/** What `list()` and `revokeMany()` select tokens by; every filter given must match. */
export interface TokenFilter {
  userId?: string | number;
  tokenType?: TokenType;
  /** Tokens that list this scope (compared exactly, case included). */
  scope?: string;
  /** Tokens created before this moment. */
  createdBefore?: Date;
  /** Tokens not used since this moment: last used before it, or never used and created before it. */
  unusedSince?: Date;
  state?: TokenState;
}

export interface ListTokensInput extends TokenFilter {
  /** Part of the name (any case) or of the prefix. */
  search?: string;
  /** `true`: not revoked, purged, disabled or expired; `false`: any of those. */
  active?: boolean;
  revoked?: boolean;
  purged?: boolean;
  disabled?: boolean;
  /** Default `createdAt`, ties broken by id. */
  sort?: TokenSortField;
  /** Default `desc`. */
  order?: 'asc' | 'desc';
  /** Default 100. */
  limit?: number;
  offset?: number;
}

/** One page of `TokenService.listPage()`. */
export interface TokenPage {
  items: Token[];
  /** Tokens matching the filters, on every page. */
  total: number;
}

/** A token, its id (uuid) or its prefix (`tok_ab12CD34`). */
export type TokenRef = Token | string;

/** What `TokenService.identify()` found for a raw token. */
export interface IdentifiedToken {
  /** The token its prefix names, whatever its state; `null` for a bad checksum or an unknown prefix. */
  token: Token | null;
  /** Whether the raw token's secret is the token's current one. */
  secretMatches: boolean;
}
