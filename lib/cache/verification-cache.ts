import { hash } from 'node:crypto';
import { Token } from '../entities/token.entity.js';

interface Entry {
  token: Token;
  cachedUntil: number;
}

interface UserEntry {
  user: unknown;
  cachedUntil: number;
}

/**
 * Tokens that passed a full verification, keyed by a SHA-256 of the raw token (never the token
 * itself), least recently used first out, each kept for the TTL, and the users resolved for them.
 * Lifecycle actions drop a token's entries at once.
 */
export class VerificationCache {
  // A Map iterates in insertion order: re-inserting on every hit keeps the oldest entry first.
  private readonly entries = new Map<string, Entry>();
  private readonly keysByToken = new Map<string, Set<string>>();
  private readonly usersByToken = new Map<string, UserEntry>();
  private invalidations = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0 && this.maxEntries > 0;
  }

  keyOf(rawToken: string): string {
    return hash('sha256', rawToken, 'base64');
  }

  /**
   * A marker to take before reading a token from the database and to give back to `set`: an
   * entry is not stored when its token was invalidated in between, so a verification that raced
   * with a revoke cannot put the revoked token back.
   */
  mark(): number {
    return this.invalidations;
  }

  /** A copy of the cached token, so a handler that changes it does not change the cache. */
  get(key: string): Token | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.cachedUntil <= Date.now()) {
      this.delete(key, entry.token.id);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return copyToken(entry.token);
  }

  set(key: string, token: Token, mark: number): void {
    if (!this.enabled || mark !== this.invalidations) return;
    this.entries.delete(key);
    this.entries.set(key, { token: copyToken(token), cachedUntil: Date.now() + this.ttlMs });
    let keys = this.keysByToken.get(token.id);
    if (!keys) this.keysByToken.set(token.id, (keys = new Set()));
    keys.add(key);
    if (this.entries.size > this.maxEntries) {
      const [oldestKey, oldest] = this.entries.entries().next().value as [string, Entry];
      this.delete(oldestKey, oldest.token.id);
    }
  }

  /** The user resolved for a token within the TTL, wrapped so that a `null` user is a hit too. */
  getUser(tokenId: string): { user: unknown } | undefined {
    const entry = this.usersByToken.get(tokenId);
    if (!entry) return undefined;
    if (entry.cachedUntil > Date.now()) return { user: entry.user };
    this.usersByToken.delete(tokenId);
    return undefined;
  }

  setUser(tokenId: string, user: unknown): void {
    if (!this.enabled) return;
    this.usersByToken.delete(tokenId);
    this.usersByToken.set(tokenId, { user, cachedUntil: Date.now() + this.ttlMs });
    if (this.usersByToken.size > this.maxEntries) this.usersByToken.delete(this.usersByToken.keys().next().value as string);
  }

  /** Drops every entry of a token (after it was rotated, revoked or purged here or elsewhere). */
  drop(tokenId: string): void {
    this.invalidations++;
    for (const key of this.keysByToken.get(tokenId) ?? []) this.entries.delete(key);
    this.keysByToken.delete(tokenId);
    this.usersByToken.delete(tokenId);
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string, tokenId: string): void {
    this.entries.delete(key);
    const keys = this.keysByToken.get(tokenId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByToken.delete(tokenId);
  }
}

/** A copy to hand out or keep, so that a handler changing its token changes no one else's. */
export function copyToken(token: Token): Token {
  return Object.assign(new Token(), token);
}
