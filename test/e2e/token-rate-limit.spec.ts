import { setTimeout as sleep } from 'node:timers/promises';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KEYSMITH_EVENTS, KeysmithValidationError, type TokenRateLimitedEvent } from '../../lib/index.js';
import { REDIS_URL } from '../support/redis.js';
import { TcpProxy, serverOf } from '../support/tcp-proxy.js';
import { databaseVariants, startTestApp, variantName, type AppVariant, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from './fixtures/guard-controllers.js';
import { MESSAGES, auditRowsOf, uniqueAgent } from './fixtures/guard-http.js';

interface LimitedReply {
  status: number;
  message: unknown;
  /** The `RateLimit-*` and `Retry-After` headers, `null` when absent. */
  limit: string | null;
  remaining: string | null;
  reset: string | null;
  retryAfter: string | null;
}

async function get(app: TestApp, rawToken: string, agent?: string): Promise<LimitedReply> {
  const response = await fetch(`${app.url}/api/health`, {
    headers: { 'x-keysmith-token': rawToken, ...(agent && { 'user-agent': agent }) },
  });
  const body = (await response.json()) as { message?: unknown };
  return {
    status: response.status,
    message: body.message,
    limit: response.headers.get('ratelimit-limit'),
    remaining: response.headers.get('ratelimit-remaining'),
    reset: response.headers.get('ratelimit-reset'),
    retryAfter: response.headers.get('retry-after'),
  };
}

const statuses = (replies: LimitedReply[]) => replies.map((reply) => reply.status);

/** Every database with Express, and Fastify on the first, whose headers reach the client another way. */
const variants: AppVariant[] = [...databaseVariants(), { ...databaseVariants()[0], adapter: 'fastify' }];

describe.each(variants)('per-token rate limits in one process on $database · $adapter', (variant) => {
  let app: TestApp;
  const events: TokenRateLimitedEvent[] = [];
  beforeAll(async () => {
    app = await startTestApp({
      suite: 'token-rate-limit',
      variant,
      controllers: [GuardedApiController],
      imports: [EventEmitterModule.forRoot()],
      keysmith: { defaultRateLimit: { limit: 3, windowSeconds: 60 } },
    });
    app.app.get(EventEmitter2).on(KEYSMITH_EVENTS.rateLimited, (event: TokenRateLimitedEvent) => void events.push(event));
  });
  afterAll(() => app?.close());

  it(`counts two tokens from one address apart, with exact headers, a 429 and its audit row (${variantName(variant)})`, async () => {
    const first = await app.tokens.create({ name: 'limited-a', rateLimit: { limit: 2, windowSeconds: 60 } });
    const second = await app.tokens.create({ name: 'limited-b', rateLimit: { limit: 2, windowSeconds: 60 } });
    const agent = uniqueAgent('rate-limit');
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await get(app, first.rawToken, agent));
    expect(statuses(replies)).toEqual([200, 200, 429]);
    expect(replies.map(({ limit, remaining }) => [limit, remaining])).toEqual([
      ['2', '1'],
      ['2', '0'],
      ['2', '0'],
    ]);
    for (const reply of replies) expect(Number(reply.reset)).toBeGreaterThanOrEqual(1);
    for (const reply of replies) expect(Number(reply.reset)).toBeLessThanOrEqual(60);
    expect(replies.slice(0, 2).map((reply) => reply.retryAfter)).toEqual([null, null]);
    expect(replies[2]).toMatchObject({ message: MESSAGES.rateLimited, retryAfter: replies[2].reset });

    expect(statuses([await get(app, second.rawToken), await get(app, second.rawToken)])).toEqual([200, 200]);

    const rows = await auditRowsOf(app, agent);
    expect(rows.map((row) => [row.action, row.tokenId, row.extra])).toEqual([
      ['auth_success', first.token.id, {}],
      ['auth_success', first.token.id, {}],
      ['auth_failed', first.token.id, { error_code: 'rate_limited', reason: 'token_rate_limit' }],
    ]);
    expect(rows.map((row) => row.statusCode)).toEqual([200, 200, 429]);
  });

  it(`lets the token through again once its window has passed, and announces each window's first refusal once (${variantName(variant)})`, async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'short-window', rateLimit: { limit: 1, windowSeconds: 1 } });
    expect(statuses([await get(app, rawToken), await get(app, rawToken), await get(app, rawToken)])).toEqual([200, 429, 429]);
    await sleep(1_100);
    const again = await get(app, rawToken);
    expect(again).toMatchObject({ status: 200, limit: '1', remaining: '0', reset: '1' });
    expect(events.filter((event) => event.token.id === token.id).map(({ limit, windowSeconds }) => ({ limit, windowSeconds }))).toEqual([
      { limit: 1, windowSeconds: 1 },
    ]);
  });

  it(`gives a token without a limit of its own defaultRateLimit; update changes and removes a token's own (${variantName(variant)})`, async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'default-limited' });
    const replies = [await get(app, rawToken), await get(app, rawToken), await get(app, rawToken), await get(app, rawToken)];
    expect(statuses(replies)).toEqual([200, 200, 200, 429]);
    expect(replies[0].limit).toBe('3');

    const updated = await app.tokens.update(token.id, { rateLimit: { limit: 5, windowSeconds: 60 } });
    expect(updated.rateLimit).toEqual({ limit: 5, windowSeconds: 60 });
    expect(await get(app, rawToken)).toMatchObject({ status: 200, limit: '5', remaining: '4' });
    expect((await app.tokens.update(token.id, { rateLimit: null })).rateLimit).toBeNull();
    expect(await get(app, rawToken)).toMatchObject({ status: 429, limit: '3', remaining: '0' });
  });

  it(`refuses a limit or window that is not a whole number of at least 1, naming the field (${variantName(variant)})`, async () => {
    const refused = async (rateLimit: unknown) => {
      const error = await app.tokens.create({ name: 'bad-limit', rateLimit: rateLimit as never }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KeysmithValidationError);
      return (error as KeysmithValidationError).field;
    };
    expect(await refused({ limit: 0, windowSeconds: 60 })).toBe('rateLimit.limit');
    expect(await refused({ limit: -1, windowSeconds: 60 })).toBe('rateLimit.limit');
    expect(await refused({ limit: 2.5, windowSeconds: 60 })).toBe('rateLimit.limit');
    expect(await refused({ limit: 10, windowSeconds: 0 })).toBe('rateLimit.windowSeconds');
    expect(await refused({ limit: 10, windowSeconds: 1.5 })).toBe('rateLimit.windowSeconds');
    expect(await refused({ limit: 10 })).toBe('rateLimit.windowSeconds');
    expect(await refused({ limit: 10, windowSeconds: 60, burst: 2 })).toBe('rateLimit.burst');
    expect(await refused(10)).toBe('rateLimit');
    const { token } = await app.tokens.create({ name: 'kept-limit', rateLimit: { limit: 10, windowSeconds: 60 } });
    await expect(app.tokens.update(token.id, { rateLimit: { limit: 10, windowSeconds: -5 } })).rejects.toMatchObject({
      field: 'rateLimit.windowSeconds',
    });
    expect((await app.tokens.get(token.id)).rateLimit).toEqual({ limit: 10, windowSeconds: 60 });
  });
});

const sharedDatabases = databaseVariants().filter((variant) => variant.database !== 'sqlite-memory');

describe.skipIf(!inject('redis')).each(sharedDatabases)('per-token rate limits across two instances on one Redis, $database', (variant) => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    const options = { suite: 'token-rate-limit-redis', variant, controllers: [GuardedApiController], keysmith: { redis: REDIS_URL } };
    first = await startTestApp(options);
    second = await startTestApp({ ...options, keepSchema: true });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it(`lets exactly the limit through of concurrent requests sent to both instances (${variantName(variant)})`, async () => {
    const { rawToken } = await first.tokens.create({ name: 'shared-limit', rateLimit: { limit: 10, windowSeconds: 60 } });
    // Proves the secret on both, so every one of the requests below is counted.
    const warm = [await get(first, rawToken), await get(second, rawToken)];
    const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => get(i % 2 === 0 ? first : second, rawToken)));
    const all = [...warm, ...replies];
    expect(all.filter((reply) => reply.status === 200)).toHaveLength(10);
    expect(all.filter((reply) => reply.status === 429)).toHaveLength(52);
    const remaining = all.filter((reply) => reply.status === 200).map((reply) => Number(reply.remaining));
    expect(remaining.sort((a, b) => b - a)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it(`sends no RateLimit headers for a token without a limit (${variantName(variant)})`, async () => {
    const { rawToken } = await first.tokens.create({ name: 'unlimited' });
    expect(await get(second, rawToken)).toMatchObject({ status: 200, limit: null, remaining: null, reset: null, retryAfter: null });
  });
});

describe.skipIf(!inject('redis'))('per-token rate limits while Redis does not answer', () => {
  const variant = databaseVariants()[0];
  let proxy: TcpProxy;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    proxy = await TcpProxy.start(serverOf(REDIS_URL));
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await proxy?.close();
  });

  it.each(['allow', 'deny'] as const)("follows limitsOnRedisError: '%s', and says so once per outage", async (policy) => {
    proxy.setMode('forward');
    const app = await startTestApp({
      suite: `token-rate-limit-outage-${policy}`,
      variant,
      controllers: [GuardedApiController],
      keysmith: { redis: proxy.urlFor(REDIS_URL), limitsOnRedisError: policy },
    });
    apps.push(app);
    const { token, rawToken } = await app.tokens.create({ name: 'outage', rateLimit: { limit: 100, windowSeconds: 60 } });
    expect(await get(app, rawToken)).toMatchObject({ status: 200, limit: '100', remaining: '99' });

    proxy.setMode('refuse');
    const agent = uniqueAgent('redis-outage');
    const during = [await get(app, rawToken, agent), await get(app, rawToken, agent), await get(app, rawToken, agent)];
    expect(statuses(during)).toEqual(policy === 'allow' ? [200, 200, 200] : [429, 429, 429]);
    for (const reply of during) expect(reply.limit).toBeNull();
    expect(app.logs.filter((entry) => entry.message.includes("Redis did not answer a rate limit's count"))).toHaveLength(1);
    if (policy === 'deny') {
      const rows = await auditRowsOf(app, agent);
      expect(rows.map((row) => [row.tokenId, row.extra])).toEqual(
        Array.from({ length: 3 }, () => [token.id, { error_code: 'rate_limited', reason: 'limits_unavailable' }]),
      );
    }
  });
});
