import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Token } from '../../lib/index.js';
import { VerificationCache, type VerifiedToken } from '../../lib/cache/verification-cache.js';

const tokenWith = (id: string): Token =>
  Object.assign(new Token(), { id, prefix: `tok_${id}`, scopes: ['read'], expiresAt: new Date('2030-01-01T00:00:00Z') });

const current = (token: Token): VerifiedToken => ({ token, secret: 'current' });

/** Fills the cache as a finished verification does. */
const store = async (cache: VerificationCache, key: string, token: Token, secret: VerifiedToken['secret'] = 'current') =>
  (await cache.verifyOnce(key, () => Promise.resolve({ token, secret }))).token;

describe('VerificationCache', () => {
  it('keys entries by a SHA-256 of the raw token, never the token itself', () => {
    const cache = new VerificationCache(60_000, 10);
    const raw = 'tok_ab12CD34:secretsecretsecretsecretsecret12123456';
    const key = cache.keyOf(raw);
    expect(key).not.toContain('secret');
    expect(key).toHaveLength(44);
    expect(cache.keyOf(raw)).toBe(key);
    expect(cache.keyOf(`${raw}x`)).not.toBe(key);
  });

  it('hands out copies that share no array or date with the cache, so a handler cannot change the next request', async () => {
    const cache = new VerificationCache(60_000, 10);
    const verified = await store(cache, 'k', tokenWith('a'));
    verified.scopes.push('from-verification');
    const first = cache.get('k')!.token;
    first.scopes.push('admin');
    first.expiresAt!.setFullYear(2100);
    first.name = 'changed';
    const next = cache.get('k')!.token;
    expect(next).toBeInstanceOf(Token);
    expect(next.scopes).toEqual(['read']);
    expect(next.expiresAt).toEqual(new Date('2030-01-01T00:00:00Z'));
    expect(next.name).toBeUndefined();
  });

  it('forgets an entry once its TTL has passed', async () => {
    const cache = new VerificationCache(100, 10);
    await store(cache, 'k', tokenWith('a'));
    expect(cache.get('k')?.token.id).toBe('a');
    expect(cache.has('k')).toBe(true);
    await sleep(150);
    expect(cache.has('k')).toBe(false);
    expect(cache.get('k')).toBeUndefined();
  });

  it('evicts the least recently used entry when full', async () => {
    const cache = new VerificationCache(60_000, 2);
    await store(cache, 'a', tokenWith('a'));
    await store(cache, 'b', tokenWith('b'));
    cache.get('a');
    await store(cache, 'c', tokenWith('c'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.token.id).toBe('a');
    expect(cache.get('c')?.token.id).toBe('c');
    expect(cache.size).toBe(2);
  });

  it('drops every entry of a token at once', async () => {
    const cache = new VerificationCache(60_000, 10);
    await store(cache, 'old-raw', tokenWith('a'));
    await store(cache, 'new-raw', tokenWith('a'));
    await store(cache, 'other', tokenWith('b'));
    cache.drop('a');
    expect(cache.get('old-raw')).toBeUndefined();
    expect(cache.get('new-raw')).toBeUndefined();
    expect(cache.get('other')?.token.id).toBe('b');
  });

  it('shares one verification among requests that miss together', async () => {
    const cache = new VerificationCache(60_000, 10);
    let runs = 0;
    let finish!: (token: Token) => void;
    const verify = () => {
      runs++;
      return new Promise<Token>((resolve) => (finish = resolve)).then(current);
    };
    const all = Promise.all([cache.verifyOnce('k', verify), cache.verifyOnce('k', verify), cache.verifyOnce('k', verify)]);
    finish(tokenWith('a'));
    const tokens = (await all).map((verified) => verified.token);
    expect(runs).toBe(1);
    tokens[0].scopes.push('admin');
    expect(tokens[1].scopes).toEqual(['read']);
  });

  it('neither stores nor shares a verification that started before the token was dropped', async () => {
    const cache = new VerificationCache(60_000, 10);
    let runs = 0;
    const finishers: Array<(token: Token) => void> = [];
    const verify = () => {
      runs++;
      return new Promise<Token>((resolve) => finishers.push(resolve)).then(current);
    };
    const before = cache.verifyOnce('k', verify);
    cache.drop('a');
    const after = cache.verifyOnce('k', verify);
    expect(runs).toBe(2);
    finishers[0](tokenWith('a'));
    await before;
    expect(cache.get('k')).toBeUndefined();
    finishers[1](tokenWith('a'));
    await after;
    expect(cache.get('k')?.token.id).toBe('a');
  });

  it("keeps a previous secret's entry until its grace period ends at the latest, and says which secret it holds", async () => {
    const cache = new VerificationCache(60_000, 10);
    const rotated = Object.assign(tokenWith('a'), { previousSecretExpiresAt: new Date(Date.now() + 150) });
    await store(cache, 'previous-raw', rotated, 'previous');
    await store(cache, 'current-raw', rotated);
    expect(cache.get('previous-raw')?.secret).toBe('previous');
    expect(cache.get('current-raw')?.secret).toBe('current');
    await sleep(200);
    expect(cache.get('previous-raw')).toBeUndefined();
    expect(cache.get('current-raw')?.token.id).toBe('a');
  });

  it('does not keep a previous secret whose grace period has already ended', async () => {
    const cache = new VerificationCache(60_000, 10);
    const ended = Object.assign(tokenWith('a'), { previousSecretExpiresAt: new Date(Date.now() - 1) });
    await store(cache, 'previous-raw', ended, 'previous');
    expect(cache.has('previous-raw')).toBe(false);
  });

  it('keeps the user resolved for a token, a null user included, until the token is dropped', () => {
    const cache = new VerificationCache(60_000, 10);
    cache.setUser('a', { id: 7 });
    cache.setUser('b', null);
    expect(cache.getUser('a')).toEqual({ user: { id: 7 } });
    expect(cache.getUser('b')).toEqual({ user: null });
    expect(cache.getUser('c')).toBeUndefined();
    cache.drop('a');
    expect(cache.getUser('a')).toBeUndefined();
  });

  it('is off with a TTL of 0: nothing is stored, concurrent misses still share a verification', async () => {
    const cache = new VerificationCache(0, 10);
    expect(cache.enabled).toBe(false);
    let runs = 0;
    const verify = async () => {
      runs++;
      await sleep(10);
      return current(tokenWith('a'));
    };
    await Promise.all([cache.verifyOnce('k', verify), cache.verifyOnce('k', verify)]);
    expect(runs).toBe(1);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.has('k')).toBe(false);
  });

  describe('with announcements from other instances (redis)', () => {
    it('uses an entry for unheardTtlMs at most while no announcement is confirmed heard, whatever the TTL', async () => {
      const cache = new VerificationCache(60_000, 10, 100);
      await store(cache, 'k', tokenWith('a'));
      cache.setUser('a', { id: 7 });
      expect(cache.get('k')?.token.id).toBe('a');
      expect(cache.getUser('a')).toEqual({ user: { id: 7 } });
      await sleep(150);
      expect(cache.get('k')).toBeUndefined();
      expect(cache.has('k')).toBe(false);
      expect(cache.getUser('a')).toBeUndefined();
    });

    it('keeps using an older entry while every announcement until unheardTtlMs ago has been heard', async () => {
      const cache = new VerificationCache(60_000, 10, 100);
      await store(cache, 'k', tokenWith('a'));
      await sleep(150);
      cache.heardChangesUntil(performance.now());
      expect(cache.get('k')?.token.id).toBe('a');
      expect(cache.has('k')).toBe(true);
      // Heard until a moment that is now too long ago: the entry is older than that too.
      await sleep(150);
      expect(cache.get('k')).toBeUndefined();
    });

    it('an entry verified after the last heard moment is used for unheardTtlMs from its verification', async () => {
      const cache = new VerificationCache(60_000, 10, 200);
      cache.heardChangesUntil(performance.now());
      await sleep(150);
      await store(cache, 'k', tokenWith('a'));
      await sleep(100);
      expect(cache.get('k')?.token.id).toBe('a');
    });

    it('clear drops every entry, and a verification under way when it ran fills nothing', async () => {
      const cache = new VerificationCache(60_000, 10, 60_000);
      await store(cache, 'a', tokenWith('a'));
      cache.setUser('a', null);
      let finish!: (verified: VerifiedToken) => void;
      const running = cache.verifyOnce('b', () => new Promise((resolve) => (finish = resolve)));
      cache.clear();
      finish(current(tokenWith('b')));
      await running;
      expect(cache.get('a')).toBeUndefined();
      expect(cache.getUser('a')).toBeUndefined();
      expect(cache.get('b')).toBeUndefined();
      expect(cache.size).toBe(0);
    });

    it('without redis, an entry is used for the whole TTL', async () => {
      const cache = new VerificationCache(60_000, 10);
      await store(cache, 'k', tokenWith('a'));
      await sleep(150);
      expect(cache.get('k')?.token.id).toBe('a');
    });
  });
});
