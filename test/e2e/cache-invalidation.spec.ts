import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REDIS_URL } from '../support/redis.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from './fixtures/guard-controllers.js';
import { call, msUntilRefused } from './fixtures/guard-http.js';

const sharedDatabases = databaseVariants().filter((variant) => variant.database !== 'sqlite-memory');

describe.skipIf(!inject('redis')).each(sharedDatabases)('two instances sharing Redis on %s', (variant) => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    const options = { suite: 'cache-invalidation', variant, controllers: [GuardedApiController] };
    first = await startTestApp({ ...options, keysmith: { redis: REDIS_URL } });
    second = await startTestApp({ ...options, keysmith: { redis: REDIS_URL } });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it(`a token revoked through one instance is refused by the other at once (${variantName(variant)})`, async () => {
    const { token, rawToken } = await first.tokens.create({ name: 'revoked-elsewhere' });
    expect((await call(second, '/api/health', { token: rawToken })).status).toBe(200);
    await first.tokens.revoke(token.id);
    const ms = await msUntilRefused(second, rawToken, 2_000);
    console.log(`[cache invalidation] ${variant.database}: revoke honoured by the other instance after ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(2_000);
  });

  it(`a token rotated through one instance stops working on the other (${variantName(variant)})`, async () => {
    const { token, rawToken } = await first.tokens.create({ name: 'rotated-elsewhere' });
    expect((await call(second, '/api/health', { token: rawToken })).status).toBe(200);
    const rotated = await first.tokens.rotate(token.id);
    expect(await msUntilRefused(second, rawToken, 2_000)).toBeLessThan(2_000);
    expect((await call(second, '/api/health', { token: rotated })).status).toBe(200);
  });
});

describe.each(sharedDatabases)('two instances without Redis on %s', (variant) => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    const options = { suite: 'cache-no-invalidation', variant, controllers: [GuardedApiController] };
    first = await startTestApp(options);
    second = await startTestApp(options);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it(`the other instance keeps a revoked token it verified until its cache entry expires (${variantName(variant)})`, async () => {
    const { token, rawToken } = await first.tokens.create({ name: 'revoked-unheard' });
    expect((await call(second, '/api/health', { token: rawToken })).status).toBe(200);
    await first.tokens.revoke(token.id);
    expect((await call(first, '/api/health', { token: rawToken })).status).toBe(401);
    expect((await call(second, '/api/health', { token: rawToken })).status).toBe(200);
  });
});
