import { randomUUID } from 'node:crypto';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REDIS_URL } from '../support/redis.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { MESSAGES, call } from '../e2e/fixtures/guard-http.js';
import { LIMIT, throttledApp } from './fixtures/throttled-app.js';

// Two instances over one database, each with its own connection to the same Redis storage
// (@nest-lab/throttler-storage-redis): the guard counts in the throttler's storage, so a token's
// limit holds across instances.
const sharedDatabases = databaseVariants().filter((variant) => variant.database !== 'sqlite-memory');

describe.skipIf(!inject('redis')).each(sharedDatabases)(
  'KeysmithThrottlerGuard on two instances sharing a Redis throttler storage on %s',
  (variant) => {
    let first: TestApp;
    let second: TestApp;
    // This run's own keys, so that runs sharing the Redis server never count each other's requests.
    const keyPrefix = `keysmith-test-throttler:${randomUUID()}:`;
    const clients = [new Redis(REDIS_URL, { keyPrefix }), new Redis(REDIS_URL, { keyPrefix })];

    beforeAll(async () => {
      first = await startTestApp({ suite: 'throttler-storage', variant, ...throttledApp(new ThrottlerStorageRedisService(clients[0])) });
      second = await startTestApp({
        suite: 'throttler-storage',
        variant,
        keepSchema: true,
        ...throttledApp(new ThrottlerStorageRedisService(clients[1])),
      });
    });
    afterAll(async () => {
      await first?.close();
      await second?.close();
      await Promise.all(clients.map((client) => client.quit()));
    });

    /** A token both instances have verified: the tracker counts a token once it has proved its secret there. */
    async function provenToken(name: string): Promise<string> {
      const { rawToken } = await first.tokens.create({ name });
      await first.tokens.authenticate(rawToken);
      await second.tokens.authenticate(rawToken);
      return rawToken;
    }

    it(`counts a token's requests on both instances together, from any address (${variantName(variant)})`, async () => {
      const rawToken = await provenToken('everywhere');
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT; i++) {
        const instance = i % 2 === 0 ? first : second;
        statuses.push((await call(instance, '/api/health', { token: rawToken, from: `127.0.0.${10 + i}` })).status);
      }
      expect(statuses).toEqual(Array(LIMIT).fill(200));

      for (const [instance, from] of [
        [first, '127.0.0.30'],
        [second, '127.0.0.31'],
      ] as const) {
        const blocked = await call(instance, '/api/health', { token: rawToken, from });
        expect(blocked.status).toBe(429);
        expect(blocked.body.message).toBe(MESSAGES.rateLimited);
      }
    });

    it('keeps the counts of two tokens apart across instances, from one address', async () => {
      const spent = await provenToken('spent');
      const fresh = await provenToken('fresh');
      for (let i = 0; i <= LIMIT; i++) await call(first, '/api/health', { token: spent, from: '127.0.0.40' });
      expect((await call(second, '/api/health', { token: spent, from: '127.0.0.40' })).status).toBe(429);
      expect((await call(second, '/api/health', { token: fresh, from: '127.0.0.40' })).status).toBe(200);
    });
  },
);
