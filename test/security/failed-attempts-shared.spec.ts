import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildToken } from '../../lib/index.js';
import { REDIS_URL } from '../support/redis.js';
import { SlowCountingHasher } from '../support/slow-counting-hasher.js';
import { serverOf, TcpProxy } from '../support/tcp-proxy.js';
import { countLogs, databaseVariants, startTestApp, variantName, type LogEntry, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from '../e2e/fixtures/guard-controllers.js';
import { MESSAGES, call } from '../e2e/fixtures/guard-http.js';

const LIMIT = 5;
const wrongSecret = (n: number) => `Wrong${String(n).padStart(27, '0')}`;
const sharedDatabases = databaseVariants().filter((variant) => variant.database !== 'sqlite-memory');

// Nest's Logger writes through the logger of the application created last (`denying`), so the
// lines of both instances land in its logs: each outage line names its instance's setting.
const ALLOW_OUTAGE_LOG = /Redis does not answer the failed-attempts limit.*limitsOnRedisError: 'allow'/;
const DENY_OUTAGE_LOG = /Redis does not answer the failed-attempts limit.*limitsOnRedisError: 'deny'/;

/** Calls until the answer has `status`, or 10 s have passed; returns the last status. */
async function untilStatus(app: TestApp, rawToken: string, from: string, status: number): Promise<number> {
  let last = 0;
  for (let waited = 0; waited < 10_000; waited += 100) {
    last = (await call(app, '/api/health', { token: rawToken, from })).status;
    if (last === status) break;
    await sleep(100);
  }
  return last;
}

// Each instance reaches the one Redis through a proxy of its own, so that a test can take Redis
// away from one of them. `allowing` keeps the default limitsOnRedisError, `denying` has 'deny'.
describe.skipIf(!inject('redis')).each(sharedDatabases)('the failed-attempts limit of two instances on one Redis, on %s', (variant) => {
  const hasher = new SlowCountingHasher(20);
  let allowingProxy: TcpProxy;
  let denyingProxy: TcpProxy;
  let allowing: TestApp;
  let denying: TestApp;
  let logs: LogEntry[];

  beforeAll(async () => {
    allowingProxy = await TcpProxy.start(serverOf(REDIS_URL));
    denyingProxy = await TcpProxy.start(serverOf(REDIS_URL));
    const options = { suite: 'failed-attempts-shared', variant, controllers: [GuardedApiController] };
    const keysmith = { hasher, failedAttemptsLimit: LIMIT };
    allowing = await startTestApp({ ...options, keysmith: { ...keysmith, redis: allowingProxy.urlFor(REDIS_URL) } });
    denying = await startTestApp({
      ...options,
      keysmith: { ...keysmith, redis: denyingProxy.urlFor(REDIS_URL), limitsOnRedisError: 'deny' },
    });
    logs = denying.logs;
  });
  afterAll(async () => {
    await allowing?.close();
    await denying?.close();
    await Promise.all([allowingProxy?.close(), denyingProxy?.close()]);
  });

  it(`wrong secrets sent to either instance count against one limit (${variantName(variant)})`, async () => {
    const { token, rawToken } = await allowing.tokens.create({ name: 'guessed-on-both' });
    const from = '127.0.0.21';
    expect((await call(denying, '/api/health', { token: rawToken, from })).status).toBe(200);
    for (let i = 0; i < LIMIT; i++) {
      const instance = i % 2 === 0 ? allowing : denying;
      expect((await call(instance, '/api/health', { token: buildToken(token.prefix, wrongSecret(i)), from })).status).toBe(401);
    }
    // Each instance saw fewer than LIMIT wrong secrets; together they reached it.
    for (const instance of [allowing, denying]) {
      const refused = await call(instance, '/api/health', { token: buildToken(token.prefix, wrongSecret(99)), from });
      expect(refused.status).toBe(429);
      expect(refused.body.message).toBe(MESSAGES.rateLimited);
    }
    // Not the right secret from this address either, where it is not proven; where it is, it is served.
    expect((await call(allowing, '/api/health', { token: rawToken, from })).status).toBe(429);
    expect((await call(denying, '/api/health', { token: rawToken, from })).status).toBe(200);
    expect((await call(allowing, '/api/health', { token: rawToken, from: '127.0.0.22' })).status).toBe(200);
  });

  it(`60 wrong secrets at once, split over both instances, run at most the limit of verifications (${variantName(variant)})`, async () => {
    const { token } = await allowing.tokens.create({ name: 'guessed-at-once-on-both' });
    const before = hasher.verifications;
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(i % 2 === 0 ? allowing : denying, '/api/health', { token: buildToken(token.prefix, wrongSecret(i)), from: '127.0.0.23' }),
      ),
    );
    expect(hasher.verifications - before).toBeLessThanOrEqual(LIMIT);
    expect(replies.filter((reply) => reply.status === 401)).toHaveLength(LIMIT);
    expect(replies.filter((reply) => reply.status === 429)).toHaveLength(60 - LIMIT);
  });

  it(`without Redis, 'allow' serves unproven secrets and counts wrong ones in the process, logged once (${variantName(variant)})`, async () => {
    const { token, rawToken } = await allowing.tokens.create({ name: 'during-outage-allowed' });
    allowingProxy.setMode('refuse');
    try {
      expect((await call(allowing, '/api/health', { token: rawToken, from: '127.0.0.24' })).status).toBe(200);
      for (let i = 0; i < LIMIT; i++) {
        const wrong = buildToken(token.prefix, wrongSecret(i));
        expect((await call(allowing, '/api/health', { token: wrong, from: '127.0.0.25' })).status).toBe(401);
      }
      expect((await call(allowing, '/api/health', { token: buildToken(token.prefix, wrongSecret(99)), from: '127.0.0.25' })).status).toBe(
        429,
      );
      expect(countLogs(logs, ALLOW_OUTAGE_LOG)).toBe(1);
    } finally {
      allowingProxy.setMode('forward');
    }
    // Counted in Redis again once it answers: this address starts from nothing there.
    const again = await allowing.tokens.create({ name: 'after-outage-allowed' });
    expect(await untilStatus(allowing, again.rawToken, '127.0.0.26', 200)).toBe(200);
    expect(countLogs(logs, ALLOW_OUTAGE_LOG)).toBe(1);
  });

  it(`without Redis, 'deny' refuses unproven secrets with 429 and still serves proven ones, logged once (${variantName(variant)})`, async () => {
    const proven = await denying.tokens.create({ name: 'proven-before-outage' });
    const unproven = await denying.tokens.create({ name: 'unproven-during-outage' });
    expect((await call(denying, '/api/health', { token: proven.rawToken, from: '127.0.0.27' })).status).toBe(200);
    denyingProxy.setMode('refuse');
    try {
      for (let i = 0; i < 10; i++) {
        const refused = await call(denying, '/api/health', { token: unproven.rawToken, from: '127.0.0.27' });
        expect(refused.status).toBe(429);
        expect(refused.body.message).toBe(MESSAGES.rateLimited);
      }
      expect((await call(denying, '/api/health', { token: proven.rawToken, from: '127.0.0.27' })).status).toBe(200);
      expect(countLogs(logs, DENY_OUTAGE_LOG)).toBe(1);
      await denying.auditLog.flush();
      const refusals = (await denying.auditLog.list({ action: 'auth_failed' })).filter(
        (row) => row.extra.reason === 'limits_unavailable' && row.extra.prefix === unproven.token.prefix,
      );
      expect(refusals).toHaveLength(10);
      expect(refusals[0].extra).toMatchObject({ error_code: 'rate_limited' });
    } finally {
      denyingProxy.setMode('forward');
    }
    expect(await untilStatus(denying, unproven.rawToken, '127.0.0.27', 200)).toBe(200);
    expect(countLogs(logs, DENY_OUTAGE_LOG)).toBe(1);
  });
});
