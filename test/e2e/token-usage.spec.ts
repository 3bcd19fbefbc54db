import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { KeysmithValidationError, TokenUsage } from '../../lib/index.js';
import { upsertUsage } from '../../lib/usage/upsert-usage.js';
import { UsageRetention } from '../../lib/usage/usage-retention.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { GuardedApiController, HandlerScopesController } from './fixtures/guard-controllers.js';
import { call } from './fixtures/guard-http.js';

/** Sends `count` requests, `concurrency` at a time, and returns their statuses. */
async function send(app: TestApp, path: string, rawToken: string, count: number, concurrency = 10): Promise<number[]> {
  const statuses: number[] = [];
  for (let sent = 0; sent < count; sent += concurrency) {
    const wave = Array.from({ length: Math.min(concurrency, count - sent) }, () => call(app, path, { token: rawToken }));
    statuses.push(...(await Promise.all(wave)).map((reply) => reply.status));
  }
  return statuses;
}

const usageWrites = (queries: string[]) => queries.filter((sql) => /^INSERT/i.test(sql) && sql.includes('keysmith_token_usage'));

describe.each(databaseVariants())('token usage on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'token-usage', variant, controllers: [GuardedApiController, HandlerScopesController] });
  });
  afterAll(() => app?.close());

  it(`counts successes and each refusal of a token as sent (${variantName(variant)})`, async () => {
    const since = new Date();
    const { token, rawToken } = await app.tokens.create({ name: 'counted', scopes: ['read'] });
    expect(await send(app, '/api/health', rawToken, 7)).toEqual(Array(7).fill(200));
    expect(await send(app, '/handler-scopes/write', rawToken, 3)).toEqual(Array(3).fill(403));
    const limited = await app.tokens.create({ name: 'limited', rateLimit: { limit: 2, windowSeconds: 3_600 } });
    expect(await send(app, '/api/health', limited.rawToken, 5, 1)).toEqual([200, 200, 429, 429, 429]);
    await app.tokens.revoke(token.id);
    expect(await send(app, '/api/health', rawToken, 4)).toEqual(Array(4).fill(401));

    const usage = await app.tokens.usage(token.id, { since, bucket: 'day' });
    expect(usage).toMatchObject({
      tokenId: token.id,
      successes: 7,
      refusals: 7,
      outcomes: { success: 7, insufficient_scope: 3, revoked_token: 4 },
    });
    expect(usage.buckets.reduce((sum, bucket) => sum + bucket.successes + bucket.refusals, 0)).toBe(14);
    expect(await app.tokens.usage(limited.token.id, { since, bucket: 'minute' })).toMatchObject({
      successes: 2,
      refusals: 3,
      outcomes: { success: 2, rate_limited: 3 },
    });
    const rows = await app.dataSource.getRepository(TokenUsage).findBy({ tokenId: token.id });
    expect(rows.every((row) => row.minuteAt.getTime() % 60_000 === 0)).toBe(true);
  });

  it(`writes the counts of 1,000 warm requests in a handful of statements (${variantName(variant)})`, async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'warm' });
    await send(app, '/api/health', rawToken, 1);
    await Promise.all([app.auditLog.flush(), app.tokens.flushLastUsed(), app.tokens.usage(token.id)]);
    const start = app.queries.length;
    expect(await send(app, '/api/health', rawToken, 1_000)).toEqual(Array(1_000).fill(200));
    await Promise.all([app.auditLog.flush(), app.tokens.flushLastUsed()]);
    const before = app.queries.length;
    const usage = await app.tokens.usage(token.id);
    const statements = app.queries.slice(start, before).concat(usageWrites(app.queries.slice(before)));
    expect(usage.successes).toBe(1_001);
    expect(usageWrites(statements).length).toBeGreaterThanOrEqual(1);
    expect(statements.length).toBeLessThanOrEqual(20);
  });

  it(`refuses a bad usage query, naming the field (${variantName(variant)})`, async () => {
    const { token } = await app.tokens.create({ name: 'queried' });
    const fieldOf = async (input: unknown) => {
      const error = await app.tokens.usage(token.id, input as never).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KeysmithValidationError);
      return (error as KeysmithValidationError).field;
    };
    expect(await fieldOf({ bucket: 'week' })).toBe('bucket');
    expect(await fieldOf({ since: new Date('nope') })).toBe('since');
    expect(await fieldOf({ until: '2026-01-01' })).toBe('until');
    expect(await fieldOf({ since: new Date('2026-01-02'), until: new Date('2026-01-01') })).toBe('since');
  });
});

describe.each(databaseVariants())("auditRequests: 'failures' on $database", (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      suite: 'token-usage-failures',
      variant,
      controllers: [GuardedApiController, HandlerScopesController],
      keysmith: { auditRequests: 'failures' },
    });
  });
  afterAll(() => app?.close());

  it(`writes rows for refusals and lifecycle actions only, and counts successes in usage (${variantName(variant)})`, async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'quiet', scopes: ['read'] });
    expect(await send(app, '/api/health', rawToken, 5)).toEqual(Array(5).fill(200));
    expect(await send(app, '/handler-scopes/write', rawToken, 2)).toEqual([403, 403]);
    await app.auditLog.flush();
    const rows = await app.auditLog.list({ tokenId: token.id });
    expect(rows.map((row) => row.action).sort()).toEqual(['auth_failed', 'auth_failed', 'created']);
    expect(await app.tokens.usage(token.id)).toMatchObject({ successes: 5, refusals: 2 });
  });
});

const sharedDatabases = databaseVariants().filter((variant) => variant.database !== 'sqlite-memory');

describe.each(sharedDatabases)('token usage of two instances on one $database', (variant) => {
  let first: TestApp | undefined;
  let second: TestApp;
  beforeAll(async () => {
    const options = { suite: 'token-usage-shared', variant, controllers: [GuardedApiController] };
    first = await startTestApp(options);
    second = await startTestApp({ ...options, keepSchema: true });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it(`adds up the counts of both instances, the first writing its own at shutdown (${variantName(variant)})`, async () => {
    const since = new Date();
    const shutDown = first!;
    const { token, rawToken } = await shutDown.tokens.create({ name: 'shared' });
    await Promise.all([send(shutDown, '/api/health', rawToken, 30), send(second, '/api/health', rawToken, 20)]);
    first = undefined;
    await shutDown.close();
    expect(await second.tokens.usage(token.id, { since })).toMatchObject({ successes: 50, refusals: 0 });
  });
});

const minuteAgo = (days: number, minutesBefore: number) =>
  new Date(Math.floor((Date.now() - days * 86_400_000) / 60_000) * 60_000 - minutesBefore * 60_000);

/** Three tokens' successes in each of `minutes` minutes, the latest `days` ago. */
const usageRows = (tokenIds: string[], days: number, minutes: number) =>
  Array.from({ length: minutes }, (_, i) =>
    tokenIds.map((tokenId) => Object.assign(new TokenUsage(), { tokenId, minuteAt: minuteAgo(days, i), outcome: 'success', count: 1 })),
  ).flat();

describe.each(sharedDatabases)('usageRetentionDays on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    // The rows come first, so that the startup prune finds them (in a database that outlives the app: not SQLite in memory).
    const setup = await startTestApp({ suite: 'token-usage-retention', variant });
    const tokenIds = [randomUUID(), randomUUID(), randomUUID()];
    const all = [...usageRows(tokenIds, 40, 400), ...usageRows(tokenIds, 29, 5)];
    const repository = setup.dataSource.getRepository(TokenUsage);
    for (let start = 0; start < all.length; start += 500) await upsertUsage(repository, all.slice(start, start + 500));
    await setup.close();
    app = await startTestApp({ suite: 'token-usage-retention', variant, keepSchema: true, keysmith: { usageRetentionDays: 30 } });
  });
  afterAll(() => app?.close());

  it(`deletes the minutes older than the retention at startup, in batches, and keeps the others (${variantName(variant)})`, async () => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !app.logs.some((entry) => entry.message.startsWith('Deleted '))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(app.logs).toContainEqual({ level: 'log', message: 'Deleted 1200 usage row(s) older than 30 days (usageRetentionDays).' });
    expect(await app.dataSource.getRepository(TokenUsage).count()).toBe(15);
    expect(await app.app.get(UsageRetention).run()).toBe(0);
  });
});
