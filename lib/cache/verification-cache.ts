import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { MatchedSecret } from '../auth/authentication.js';
import type { Token } from '../entities/token.entity.js';
import { copyToken } from '../tokens/copy-token.js';

/** A token a raw token authenticated as, and which of its secrets the raw token holds. */
export interface VerifiedToken {
  token: Token;
  secret: MatchedSecret;
}

/** A verification under way, with the invalidation count it started at. */
interface Verification {
  generation: number;
  verified: Promise<VerifiedToken>;
}

/**
 * Tokens that passed a full verification, keyed by a SHA-256 of the raw token (never the token
 * itself), least recently used first out, each kept for the TTL; and the users resolved for them.
 * The entry of a previous secret (a rotation's grace period) is kept until the grace period ends
 * at the latest, so that no instance accepts it from memory after its deadline.
 *
 * A token's entries go at once when it is rotated, revoked or purged (`drop`). Every drop also
 * moves a generation count on: a verification that started before a drop neither fills the cache
 * nor is joined by requests that arrive after it, so a verification that raced with a revoke can
 * never put the revoked token back.
 */
export class VerificationCache {
  private readonly tokens: LRUCache<string, VerifiedToken> | null;
  private readonly users: LRUCache<string, { user: unknown }> | null;
  private readonly keysByToken = new Map<string, Set<string>>();
  private readonly verifying = new Map<string, Verification>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    maxEntries: number,
  ) {
    const enabled = ttlMs > 0 && maxEntries > 0;
    this.tokens = enabled
      ? new LRUCache<string, VerifiedToken>({
          max: maxEntries,
          ttl: ttlMs,
          dispose: ({ token }, key) => this.forgetKey(token.id, key),
        })
      : null;
    this.users = enabled ? new LRUCache<string, { user: unknown }>({ max: maxEntries, ttl: ttlMs }) : null;
  }

  get enabled(): boolean {
    return this.tokens !== null;
  }

  get size(): number {
    return this.tokens?.size ?? 0;
  }

  keyOf(rawToken: string): string {
    return hash('sha256', rawToken, 'base64');
  }

  /** A copy of the cached token, so that a handler changing it changes nothing the next request sees. */
  get(key: string): VerifiedToken | undefined {
    const verified = this.tokens?.get(key);
    return verified && copyOf(verified);
  }

  /** Whether the raw token behind `key` was verified within the TTL: its sender has proved the secret. */
  has(key: string): boolean {
    return this.tokens?.has(key) ?? false;
  }

  /**
   * The token a verification of `key` finds: one verification at a time per key, whose result
   * fills the cache. Requests that miss together (when a busy token's entry expires, say) share it
   * instead of each running a hash; each gets a copy of its own.
   */
  async verifyOnce(key: string, verify: () => Promise<VerifiedToken>): Promise<VerifiedToken> {
    const running = this.verifying.get(key);
    if (running?.generation === this.generation) return copyOf(await running.verified);

    const verification: Verification = { generation: this.generation, verified: verify() };
    this.verifying.set(key, verification);
    try {
      const verified = await verification.verified;
      if (verification.generation === this.generation) this.store(key, verified);
      return copyOf(verified);
    } finally {
      if (this.verifying.get(key) === verification) this.verifying.delete(key);
    }
  }

  /** The user resolved for a token within the TTL, wrapped so that a `null` user is a hit too. */
  getUser(tokenId: string): { user: unknown } | undefined {
    return this.users?.get(tokenId);
  }

  setUser(tokenId: string, user: unknown): void {
    this.users?.set(tokenId, { user });
  }

  /** Drops every entry of a token (after it was rotated, revoked or purged here or elsewhere). */
  drop(tokenId: string): void {
    this.generation++;
    for (const key of this.keysByToken.get(tokenId) ?? []) this.tokens?.delete(key);
    this.keysByToken.delete(tokenId);
    this.users?.delete(tokenId);
  }

  private store(key: string, verified: VerifiedToken): void {
    if (!this.tokens) return;
    const { token, secret } = verified;
    const deadline = secret === 'previous' ? (token.previousSecretExpiresAt?.getTime() ?? 0) - Date.now() : Number.POSITIVE_INFINITY;
    if (deadline <= 0) return;
    this.tokens.set(key, copyOf(verified), deadline < this.ttlMs ? { ttl: deadline } : undefined);
    let keys = this.keysByToken.get(token.id);
    if (!keys) this.keysByToken.set(token.id, (keys = new Set()));
    keys.add(key);
  }

  private forgetKey(tokenId: string, key: string): void {
    const keys = this.keysByToken.get(tokenId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByToken.delete(tokenId);
  }
}

function copyOf({ token, secret }: VerifiedToken): VerifiedToken {
  return { token: copyToken(token), secret };
}
