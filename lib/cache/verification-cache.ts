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

/** A cached verification, with when it started (before the token was read), in `performance.now()` time, which no clock change moves. */
interface Entry extends VerifiedToken {
  verifiedAt: number;
}

/** A verification under way, with the invalidation count and the moment it started at. */
interface Verification {
  generation: number;
  startedAt: number;
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
 *
 * With `redis`, a drop may come from another instance, so an entry is used only while nothing it
 * could have missed is older than `unheardTtlMs` (`cacheTtlSecondsWithoutRedis`): either the entry
 * is that young, or every change announced until that long ago has been heard (`heardUntil`).
 * While Redis is unreachable, entries are therefore used for that long at most, however long ago
 * the outage began; once the subscription is back, `clear` drops them all.
 */
export class VerificationCache {
  private readonly tokens: LRUCache<string, Entry> | null;
  private readonly users: LRUCache<string, { user: unknown; verifiedAt: number }> | null;
  private readonly keysByToken = new Map<string, Set<string>>();
  private readonly verifying = new Map<string, Verification>();
  private generation = 0;
  /** Every change announced by another instance before this moment (`performance.now()`) has been heard. */
  private heardUntil = Number.NEGATIVE_INFINITY;

  /** `unheardTtlMs`: `null` where no other instance announces changes (no `redis`). */
  constructor(
    private readonly ttlMs: number,
    maxEntries: number,
    private readonly unheardTtlMs: number | null = null,
  ) {
    const enabled = ttlMs > 0 && maxEntries > 0;
    this.tokens = enabled
      ? new LRUCache<string, Entry>({
          max: maxEntries,
          ttl: ttlMs,
          dispose: ({ token }, key) => this.forgetKey(token.id, key),
        })
      : null;
    this.users = enabled ? new LRUCache<string, { user: unknown; verifiedAt: number }>({ max: maxEntries, ttl: ttlMs }) : null;
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
    const entry = this.tokens?.get(key);
    return entry && this.isUsable(entry.verifiedAt) ? copyOf(entry) : undefined;
  }

  /** Whether the raw token behind `key` was verified within the TTL: its sender has proved the secret. */
  has(key: string): boolean {
    const entry = this.tokens?.peek(key);
    return entry !== undefined && this.isUsable(entry.verifiedAt);
  }

  /**
   * The token a verification of `key` finds: one verification at a time per key, whose result
   * fills the cache. Requests that miss together (when a busy token's entry expires, say) share it
   * instead of each running a hash; each gets a copy of its own.
   */
  async verifyOnce(key: string, verify: () => Promise<VerifiedToken>): Promise<VerifiedToken> {
    const running = this.verifying.get(key);
    if (running?.generation === this.generation) return copyOf(await running.verified);

    const verification: Verification = { generation: this.generation, startedAt: performance.now(), verified: verify() };
    this.verifying.set(key, verification);
    try {
      const verified = await verification.verified;
      if (verification.generation === this.generation) this.store(key, verified, verification.startedAt);
      return copyOf(verified);
    } finally {
      if (this.verifying.get(key) === verification) this.verifying.delete(key);
    }
  }

  /** The user resolved for a token within the TTL, wrapped so that a `null` user is a hit too. */
  getUser(tokenId: string): { user: unknown } | undefined {
    const entry = this.users?.get(tokenId);
    return entry && this.isUsable(entry.verifiedAt) ? { user: entry.user } : undefined;
  }

  setUser(tokenId: string, user: unknown): void {
    this.users?.set(tokenId, { user, verifiedAt: performance.now() });
  }

  /** Every change another instance announced before `moment` (`performance.now()`) has been heard. */
  heardChangesUntil(moment: number): void {
    this.heardUntil = Math.max(this.heardUntil, moment);
  }

  /**
   * Drops every entry, and every verification under way fills nothing: for when announcements
   * of changes may have been missed (a subscription to Redis made again).
   */
  clear(): void {
    this.generation++;
    this.tokens?.clear();
    this.users?.clear();
    this.keysByToken.clear();
  }

  /** Drops every entry of a token (after it was rotated, revoked or purged here or elsewhere). */
  drop(tokenId: string): void {
    this.generation++;
    for (const key of this.keysByToken.get(tokenId) ?? []) this.tokens?.delete(key);
    this.keysByToken.delete(tokenId);
    this.users?.delete(tokenId);
  }

  /** Whether an entry verified at `verifiedAt` may be used: no change it could have missed is older than `unheardTtlMs`. */
  private isUsable(verifiedAt: number): boolean {
    if (this.unheardTtlMs === null) return true;
    const oldestAllowed = performance.now() - this.unheardTtlMs;
    return this.heardUntil >= oldestAllowed || verifiedAt >= oldestAllowed;
  }

  private store(key: string, verified: VerifiedToken, verifiedAt: number): void {
    if (!this.tokens) return;
    const { token, secret } = verified;
    const deadline = secret === 'previous' ? (token.previousSecretExpiresAt?.getTime() ?? 0) - Date.now() : Number.POSITIVE_INFINITY;
    if (deadline <= 0) return;
    this.tokens.set(key, { ...copyOf(verified), verifiedAt }, deadline < this.ttlMs ? { ttl: deadline } : undefined);
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
