import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REDIS_URL } from '../support/redis.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from './fixtures/guard-controllers.js';
import { call } from './fixtures/guard-http.js';

// Two instances must share one database: an in-memory SQLite database cannot be shared.
const sharedDatabases = databaseVariants().filter((variant) => variant.database !== 'sqlite-memory');
const variant = sharedDatabases.find((candidate) => candidate.database === 'sqlite-file') ?? sharedDatabases[0];

/** The connections Redis has open under this client name (ioredis's `duplicate()` keeps the name). */
async function connectionsNamed(admin: Redis, name: string): Promise<number> {
  const list = (await admin.client('LIST')) as string;
  return list.split('\n').filter((line) => line.split(' ').includes(`name=${name}`)).length;
}

/** Polls until Redis reports `expected` connections under `name`, or 2 s have passed. */
async function settleConnections(admin: Redis, name: string, expected: number): Promise<number> {
  let count = await connectionsNamed(admin, name);
  for (let waited = 0; count !== expected && waited < 2_000; waited += 50) {
    await sleep(50);
    count = await connectionsNamed(admin, name);
  }
  return count;
}

describe.skipIf(!inject('redis') || !variant)('the redis option given ioredis clients of the application', () => {
  const names = { first: `keysmith-client-first-${randomUUID()}`, second: `keysmith-client-second-${randomUUID()}` };
  let admin: Redis;
  let firstClient: Redis;
  let secondClient: Redis;
  let first: TestApp | undefined;
  let second: TestApp | undefined;

  beforeAll(async () => {
    admin = new Redis(REDIS_URL);
    firstClient = new Redis(REDIS_URL, { connectionName: names.first });
    secondClient = new Redis(REDIS_URL, { connectionName: names.second });
    await Promise.all([firstClient.ping(), secondClient.ping()]);
    const options = { suite: 'cache-invalidation-client', variant: variant, controllers: [GuardedApiController] };
    first = await startTestApp({ ...options, keysmith: { redis: firstClient } });
    second = await startTestApp({ ...options, keysmith: { redis: secondClient } });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await Promise.all([firstClient, secondClient, admin].map((client) => client?.quit().catch(() => undefined)));
  });

  it(`a token revoked through one instance is refused by the other on its next request (${variantName(variant)})`, async () => {
    for (const [from, to] of [
      [first!, second!],
      [second!, first!],
    ]) {
      const { token, rawToken } = await from.tokens.create({ name: 'revoked-elsewhere' });
      // Verified, so cached, by the other instance.
      expect((await call(to, '/api/health', { token: rawToken })).status).toBe(200);
      expect((await call(to, '/api/health', { token: rawToken })).status).toBe(200);
      await from.tokens.revoke(token.id);
      expect((await call(to, '/api/health', { token: rawToken })).status).toBe(401);
    }
  });

  it('each instance subscribes on a duplicate of the client it was given, not on the client itself', async () => {
    // One connection for the client, one for the subscriber duplicated from it.
    expect(await connectionsNamed(admin, names.first)).toBe(2);
    expect(await connectionsNamed(admin, names.second)).toBe(2);
    expect(firstClient.mode).toBe('normal');
    expect(secondClient.mode).toBe('normal');
  });

  it("closing the application leaves the application's client open, and closes the subscriber it made", async () => {
    await first!.close();
    await second!.close();
    first = second = undefined;

    for (const client of [firstClient, secondClient]) {
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
      expect(await client.publish('keysmith-client-test', 'still usable')).toBeTypeOf('number');
    }
    expect(await settleConnections(admin, names.first, 1)).toBe(1);
    expect(await settleConnections(admin, names.second, 1)).toBe(1);
  });
});
