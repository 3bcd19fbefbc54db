import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevokedTokenError, buildToken } from '../../lib/index.js';
import { SlowCountingHasher } from '../support/slow-counting-hasher.js';
import { startTestApp, type AppVariant, type TestApp } from '../support/test-app.js';

const variant: AppVariant = { database: 'sqlite-memory', adapter: 'express', registration: 'forRoot' };
const CONCURRENT = 20;
const concurrently = <T>(work: () => Promise<T>) => Promise.allSettled(Array.from({ length: CONCURRENT }, work));

describe('concurrent misses of the verification cache', () => {
  const hasher = new SlowCountingHasher(100);
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'cache-stampede', variant, keysmith: { hasher, hashConcurrency: 4 } });
  });
  afterAll(() => app?.close());

  it('share one verification of a raw token, and each gets a token of its own', async () => {
    const { rawToken } = await app.tokens.create({ name: 'stampede' });
    hasher.verifications = 0;
    const results = await concurrently(() => app.tokens.authenticate(rawToken));
    expect(hasher.verifications).toBe(1);
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    const tokens = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(tokens.every((token) => token.prefix === rawToken.slice(0, 12))).toBe(true);
    expect(new Set(tokens).size).toBe(CONCURRENT);
  });

  it('share a refusal too: concurrent wrong secrets for one prefix cost one hash', async () => {
    const { token } = await app.tokens.create({ name: 'stampede-wrong' });
    hasher.verifications = 0;
    const results = await concurrently(() => app.tokens.authenticate(buildToken(token.prefix, 'W'.repeat(32))));
    expect(results.every((result) => result.status === 'rejected')).toBe(true);
    expect(hasher.verifications).toBe(1);
  });

  it('do not hand a verification that began before a revoke to a request made after it', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'stampede-revoked' });
    hasher.verifications = 0;
    const before = app.tokens.authenticate(rawToken).catch(() => undefined);
    await sleep(20); // the first verification is now hashing
    await app.tokens.revoke(token.id);
    await expect(app.tokens.authenticate(rawToken)).rejects.toBeInstanceOf(RevokedTokenError);
    await before;
    expect(hasher.verifications).toBe(2);
  });
});

describe('with the verification cache off', () => {
  const hasher = new SlowCountingHasher(20);
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'cache-stampede', variant, keysmith: { hasher, hashConcurrency: 4, cacheTtlSeconds: 0 } });
  });
  afterAll(() => app?.close());

  it('requests that arrive together share one verification, and each later request verifies again', async () => {
    const { rawToken } = await app.tokens.create({ name: 'uncached' });
    hasher.verifications = 0;
    const results = await concurrently(() => app.tokens.authenticate(rawToken));
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(hasher.verifications).toBe(1);
    await app.tokens.authenticate(rawToken);
    await app.tokens.authenticate(rawToken);
    expect(hasher.verifications).toBe(3);
  });
});
