import type { TokenView } from '../tokens/token-view.js';

/** Names of the events the package emits through `@nestjs/event-emitter`. */
export const KEYSMITH_EVENTS = {
  created: 'keysmith.token.created',
  rotated: 'keysmith.token.rotated',
  revoked: 'keysmith.token.revoked',
  purged: 'keysmith.token.purged',
  disabled: 'keysmith.token.disabled',
  enabled: 'keysmith.token.enabled',
  updated: 'keysmith.token.updated',
  expiring: 'keysmith.token.expiring',
  expired: 'keysmith.token.expired',
  leaked: 'keysmith.token.leaked',
  rateLimited: 'keysmith.token.rate_limited',
  quotaLow: 'keysmith.token.quota_low',
} as const;

export type KeysmithEventName = (typeof KEYSMITH_EVENTS)[keyof typeof KEYSMITH_EVENTS];

/** What every event says: the token as it is after what happened (never its secret or hash), who acted and from where. */
export interface TokenEvent {
  token: TokenView;
  /** The acting user's id (`actor` or `createdBy`), when known. */
  actorId: string | null;
  /** Where the action came from (`cli`, `admin`, `scan`, `leak`, or what the caller passed), when known. */
  source: string | null;
}

export type TokenCreatedEvent = TokenEvent;
export type TokenRotatedEvent = TokenEvent;
export type TokenRevokedEvent = TokenEvent;
export type TokenPurgedEvent = TokenEvent;
export type TokenDisabledEvent = TokenEvent;
export type TokenEnabledEvent = TokenEvent;

/** `update()` changed the token: `token` holds the new values. */
export interface TokenUpdatedEvent extends TokenEvent {
  /** The names of the fields that changed (`name`, `scopes`, `expiresAt`, ...), never their values. */
  fields: string[];
}

/** The token expires within `daysBefore` days: sent once per token and threshold of `expiryWarnings.daysBefore`. */
export interface TokenExpiringEvent extends TokenEvent {
  /** The threshold reached, one of `expiryWarnings.daysBefore`. */
  daysBefore: number;
  expiresAt: Date;
}

/** The token's expiry has passed: sent once per expiry. */
export interface TokenExpiredEvent extends TokenEvent {
  expiresAt: Date;
}

/** A leak report named the token with its right secret. `source` is where the report says it was found. */
export interface TokenLeakedEvent extends TokenEvent {
  /** Where the token was found, as the report gave it. */
  url: string | null;
  /** The reporter's name for the kind of secret (GitHub's `type`). */
  type: string | null;
  /** What the leak endpoint was set to do. */
  action: 'revoke' | 'notify';
  /** Whether this report revoked the token (false when it was revoked already, or with `action: 'notify'`). */
  revoked: boolean;
}

/**
 * The token went over its rate limit: sent with the first refused request of a window (once per
 * window across the instances sharing `redis`; once per instance without it).
 */
export interface TokenRateLimitedEvent extends TokenEvent {
  limit: number;
  windowSeconds: number;
  /** When the window ends and the token's requests are let through again. */
  resetAt: Date;
}

/**
 * A request took a refilling quota down to a tenth of its refill amount or below: sent once per
 * refill period (by the request that crossed the line, also across the instances sharing `redis`).
 */
export interface TokenQuotaLowEvent extends TokenEvent {
  /** What the quota holds after the request. */
  remaining: number;
  /** A tenth of the refill amount, rounded down: the line the request crossed. */
  threshold: number;
  /** When the quota is next filled again. */
  refillAt: Date;
}

/** The payload of each event, by name: `@OnEvent(KEYSMITH_EVENTS.revoked) onRevoked(event: KeysmithEventPayloads['keysmith.token.revoked'])`. */
export interface KeysmithEventPayloads {
  'keysmith.token.created': TokenCreatedEvent;
  'keysmith.token.rotated': TokenRotatedEvent;
  'keysmith.token.revoked': TokenRevokedEvent;
  'keysmith.token.purged': TokenPurgedEvent;
  'keysmith.token.disabled': TokenDisabledEvent;
  'keysmith.token.enabled': TokenEnabledEvent;
  'keysmith.token.updated': TokenUpdatedEvent;
  'keysmith.token.expiring': TokenExpiringEvent;
  'keysmith.token.expired': TokenExpiredEvent;
  'keysmith.token.leaked': TokenLeakedEvent;
  'keysmith.token.rate_limited': TokenRateLimitedEvent;
  'keysmith.token.quota_low': TokenQuotaLowEvent;
}
