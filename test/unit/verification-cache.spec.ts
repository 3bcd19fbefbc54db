import { afterEach, describe, expect, it, vi } from 'vitest';
import { Token } from '../../lib/index.js';
import { VerificationCache } from '../../lib/cache/verification-cache.js';

const tokenWith = (id: string): Token => Object.assign(new Token(), { id, prefix: `tok_${id}`, scopes: ['read'], expiresAt: null });

describe('VerificationCache', () => {
  afterEach(() => vi.useRealTimers());

  it('keys entries by a SHA-256 of the raw token, never the token itself', () => {
    const cache = new VerificationCache(60_000, 10);
    const raw = 'tok_ab12CD34:secretsecretsecretsecretsecret12123456';
    const key = cache.keyOf(raw);
    expect(key).not.toContain('secret');
    expect(key).toHaveLength(44);
    expect(cache.keyOf(raw)).toBe(key);
    expect(cache.keyOf(`${raw}x`)).not.toBe(key);
  });

  it('returns a copy of the cached token, so changing it does not change the cache', () => {
    const cache = new VerificationCache(60_000, 10);
    cache.set('k', tokenWith('a'), cache.mark());
    const first = cache.get('k')!;
    first.scopes.length = 0;
    first.name = 'changed';
    expect(cache.get('k')).toBeInstanceOf(Token);
    expect(cache.get('k')!.name).toBeUndefined();
  });

  it('forgets an entry once its TTL has passed', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const cache = new VerificationCache(60_000, 10);
    cache.set('k', tokenWith('a'), cache.mark());
    vi.setSystemTime(1_000_000 + 59_999);
    expect(cache.get('k')?.id).toBe('a');
    vi.setSystemTime(1_000_000 + 60_000);
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new VerificationCache(60_000, 2);
    cache.set('a', tokenWith('a'), cache.mark());
    cache.set('b', tokenWith('b'), cache.mark());
    cache.get('a');
    cache.set('c', tokenWith('c'), cache.mark());
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.id).toBe('a');
    expect(cache.get('c')?.id).toBe('c');
    expect(cache.size).toBe(2);
  });

  it('drops every entry of a token at once', () => {
    const cache = new VerificationCache(60_000, 10);
    cache.set('old-raw', tokenWith('a'), cache.mark());
    cache.set('new-raw', tokenWith('a'), cache.mark());
    cache.set('other', tokenWith('b'), cache.mark());
    cache.drop('a');
    expect(cache.get('old-raw')).toBeUndefined();
    expect(cache.get('new-raw')).toBeUndefined();
    expect(cache.get('other')?.id).toBe('b');
  });

  it('does not store a token verified before an invalidation that happened meanwhile', () => {
    const cache = new VerificationCache(60_000, 10);
    const mark = cache.mark();
    cache.drop('a');
    cache.set('k', tokenWith('a'), mark);
    expect(cache.get('k')).toBeUndefined();
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

  it('is off with a TTL of 0: nothing is stored', () => {
    const cache = new VerificationCache(0, 10);
    expect(cache.enabled).toBe(false);
    cache.set('k', tokenWith('a'), cache.mark());
    expect(cache.get('k')).toBeUndefined();
  });
});
