import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REDIS_URL } from '../support/redis.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { MESSAGES, call } from '../e2e/fixtures/guard-http.js';
import { RedisThrottlerStorage } from './fixtures/redis-throttler-storage.js';
import { LIMIT, throttledApp } from './fixtures/throttled-app.js';

// Two instances over one database, each with its own connection to the same Redis storage: the
// guard counts in the throttler's storage, so a token's limit holds across instances.
const sharedDatabases = databaseVariants().filter((variant) => variant.database !== 'sqlite-memory');

describe.skipIf(!inject('redis')).each(sharedDatabases)(
  'KeysmithThrottlerGuard on two instances sharing a Redis storage on %s',
  (variant) => {
    let first: TestApp;
    let second: TestApp;
    const storages: RedisThrottlerStorage[] = [];

    beforeAll(async () => {
      storages.push(new RedisThrottlerStorage(REDIS_URL));
      storages.push(new RedisThrottlerStorage(REDIS_URL, storages[0].namespace));
      first = await startTestApp({ suite: 'throttler-storage', variant, ...throttledApp(storages[0]) });
      second = await startTestApp({ suite: 'throttler-storage', variant, ...throttledApp(storages[1]) });
    });
    afterAll(async () => {
      await first?.close();
      await second?.close();
      await Promise.all(storages.map((storage) => storage.close()));
    });

    it(`counts a token's requests on both instances together (${variantName(variant)})`, async () => {
      const { rawToken } = await first.tokens.create({ name: 'everywhere' });
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT; i++) statuses.push((await call(i % 2 === 0 ? first : second, '/api/health', { token: rawToken })).status);
      expect(statuses).toEqual(Array(LIMIT).fill(200));

      for (const instance of [first, second]) {
        const blocked = await call(instance, '/api/health', { token: rawToken });
        expect(blocked.status).toBe(429);
        expect(blocked.body.message).toBe(MESSAGES.rateLimited);
      }
    });

    it('keeps the counts of two tokens apart across instances', async () => {
      const spent = await first.tokens.create({ name: 'spent' });
      const fresh = await first.tokens.create({ name: 'fresh' });
      for (let i = 0; i <= LIMIT; i++) await call(first, '/api/health', { token: spent.rawToken });
      expect((await call(second, '/api/health', { token: spent.rawToken })).status).toBe(429);
      expect((await call(second, '/api/health', { token: fresh.rawToken })).status).toBe(200);
    });
  },
);
