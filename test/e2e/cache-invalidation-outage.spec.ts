import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REDIS_URL } from '../support/redis.js';
import { serverOf, TcpProxy } from '../support/tcp-proxy.js';
import { countLogs, databaseVariants, startTestApp, variantName, type LogEntry, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from './fixtures/guard-controllers.js';
import { call, msUntilRefused } from './fixtures/guard-http.js';

// Nest's Logger writes through the logger of the application created last (`second`), so the
// lines of both instances land in `second.logs`: the outage line names the instance's own TTL.
const SECOND_OUTAGE_LOG = /No Redis subscription to the changes of tokens.*at most 2 s/;
const FIRST_OUTAGE_LOG = /No Redis subscription to the changes of tokens.*at most 30 s/;
const BACK_LOG = /Redis answers again/;

const sharedDatabases = databaseVariants().filter((variant) => variant.database !== 'sqlite-memory');

/** Waits until `line` has been logged `count` times, or 10 s have passed. */
async function untilLogged(logs: LogEntry[], line: RegExp, count: number): Promise<number> {
  for (let waited = 0; countLogs(logs, line) < count && waited < 10_000; waited += 50) await sleep(50);
  return countLogs(logs, line);
}

// Each instance reaches Redis through a proxy of its own, so that a test can cut one instance's
// link while the other still announces changes. `first` is given an ioredis client of the
// application, `second` a URL.
describe.skipIf(!inject('redis')).each(sharedDatabases)('two instances while one loses Redis, on %s', (variant) => {
  let firstProxy: TcpProxy;
  let secondProxy: TcpProxy;
  let firstClient: Redis;
  let first: TestApp;
  let second: TestApp;
  let logs: LogEntry[];

  beforeAll(async () => {
    firstProxy = await TcpProxy.start(serverOf(REDIS_URL));
    secondProxy = await TcpProxy.start(serverOf(REDIS_URL));
    firstClient = new Redis(firstProxy.urlFor(REDIS_URL));
    // The application's own client: what it does on errors is the application's business.
    firstClient.on('error', () => undefined);
    const options = { suite: 'cache-invalidation-outage', variant, controllers: [GuardedApiController] };
    first = await startTestApp({ ...options, keysmith: { redis: firstClient, cacheTtlSeconds: 60, cacheTtlSecondsWithoutRedis: 30 } });
    second = await startTestApp({
      ...options,
      keysmith: { redis: secondProxy.urlFor(REDIS_URL), cacheTtlSeconds: 60, cacheTtlSecondsWithoutRedis: 2 },
    });
    logs = second.logs;
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await firstClient?.quit().catch(() => undefined);
    await Promise.all([firstProxy?.close(), secondProxy?.close()]);
  });

  it(`a token revoked while the other's link is silently cut is refused there within cacheTtlSecondsWithoutRedis, with one log line for the outage (${variantName(variant)})`, async () => {
    const { token, rawToken } = await first.tokens.create({ name: 'revoked-during-stall' });
    const { rawToken: bystander } = await first.tokens.create({ name: 'bystander' });
    expect((await call(second, '/api/health', { token: rawToken })).status).toBe(200);
    expect((await call(second, '/api/health', { token: bystander })).status).toBe(200);

    // The connection stays open and carries nothing: the client cannot tell, only missing answers can.
    secondProxy.setMode('stall');
    await first.tokens.revoke(token.id);
    const ms = await msUntilRefused(second, rawToken, 10_000);
    console.log(
      `[redis outage] ${variant.database}: revoke honoured by the instance cut from Redis after ${ms.toFixed(0)} ms (cacheTtlSecondsWithoutRedis: 2)`,
    );
    // The bound is 2 s after the last answer from Redis, which came before the cut; one request's time on top.
    expect(ms).toBeLessThan(3_000);

    expect(await untilLogged(logs, SECOND_OUTAGE_LOG, 1)).toBe(1);
    for (let i = 0; i < 20; i++) expect((await call(second, '/api/health', { token: bystander })).status).toBe(200);
    expect(countLogs(logs, SECOND_OUTAGE_LOG)).toBe(1);

    secondProxy.setMode('forward');
    expect(await untilLogged(logs, BACK_LOG, 1)).toBe(1);
    expect((await call(second, '/api/health', { token: rawToken })).status).toBe(401);
    expect((await call(second, '/api/health', { token: bystander })).status).toBe(200);
    expect(countLogs(logs, SECOND_OUTAGE_LOG)).toBe(1);
  });

  it(`a token revoked while the other's connection is down is refused there as soon as it reconnects, before cacheTtlSecondsWithoutRedis (${variantName(variant)})`, async () => {
    const { token, rawToken } = await second.tokens.create({ name: 'revoked-during-outage' });
    expect((await call(first, '/api/health', { token: rawToken })).status).toBe(200);
    const verifiedAt = performance.now();

    firstProxy.setMode('refuse');
    expect(await untilLogged(logs, FIRST_OUTAGE_LOG, 1)).toBe(1);
    await second.tokens.revoke(token.id);
    // Missed, and within its 30 s without Redis: still accepted from memory.
    expect((await call(first, '/api/health', { token: rawToken })).status).toBe(200);

    firstProxy.setMode('forward');
    const ms = await msUntilRefused(first, rawToken, 10_000);
    console.log(`[redis outage] ${variant.database}: revoke refused ${ms.toFixed(0)} ms after the link came back`);
    expect(ms).toBeLessThan(10_000);
    // Refused because the cache was dropped on reconnection, not because the 30 s had passed.
    expect(performance.now() - verifiedAt).toBeLessThan(30_000);
    expect(countLogs(logs, FIRST_OUTAGE_LOG)).toBe(1);

    // Changes are heard again: a revocation reaches the instance at once.
    const again = await second.tokens.create({ name: 'revoked-after-outage' });
    expect((await call(first, '/api/health', { token: again.rawToken })).status).toBe(200);
    await second.tokens.revoke(again.token.id);
    expect(await msUntilRefused(first, again.rawToken, 2_000)).toBeLessThan(2_000);
  });
});
