import type { Token } from '../entities/token.entity.js';

/** A token's public view: what `tokenView()` returns. */
export type TokenView = ReturnType<typeof tokenView>;

/**
 * A token as the admin API and the CLI show it: every column but the hashes of its secrets, and
 * its lifecycle state.
 */
export function tokenView(token: Token) {
  return {
    id: token.id,
    prefix: token.prefix,
    name: token.name,
    description: token.description,
    tokenType: token.tokenType,
    userId: token.userId,
    createdById: token.createdById,
    scopes: token.scopes,
    state: token.state,
    revoked: token.revoked,
    purged: token.purged,
    disabled: token.disabled,
    createdAt: token.createdAt,
    expiresAt: token.expiresAt,
    lastUsedAt: token.lastUsedAt,
    previousSecretExpiresAt: token.previousSecretExpiresAt,
    metadata: token.metadata,
    allowedIps: token.allowedIps,
    rateLimit: token.rateLimit,
    quota: token.quotaRemaining === null ? null : { remaining: token.quotaRemaining, refill: token.quotaRefill },
  };
}
