import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Get, UseGuards } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KEYSMITH_EVENTS, KeysmithCost, KeysmithGuard, KeysmithValidationError, Token, type TokenQuotaLowEvent } from '../../lib/index.js';
import { REDIS_URL } from '../support/redis.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { MESSAGES, auditRowsOf, uniqueAgent } from './fixtures/guard-http.js';

@Controller('metered')
@UseGuards(KeysmithGuard)
class MeteredController {
  @Get('one')
  one() {
    return { ok: true };
  }

  @Get('three')
  @KeysmithCost(3)
  three() {
    return { ok: true };
  }

  @Get('free')
  @KeysmithCost(0)
  free() {
    return { ok: true };
  }
}

async function get(app: TestApp, path: string, rawToken: string, agent?: string): Promise<{ status: number; message: unknown }> {
  const response = await fetch(`${app.url}/metered/${path}`, {
    headers: { 'x-keysmith-token': rawToken, ...(agent && { 'user-agent': agent }) },
  });
  const body = (await response.json()) as { message?: unknown };
  return { status: response.status, message: body.message };
}

/** Collects the `keysmith.token.quota_low` events of each app. */
function quotaLowEvents(...apps: TestApp[]): TokenQuotaLowEvent[] {
  const events: TokenQuotaLowEvent[] = [];
  for (const app of apps) app.app.get(EventEmitter2).on(KEYSMITH_EVENTS.quotaLow, (event: TokenQuotaLowEvent) => void events.push(event));
  return events;
}

const statusesOf = async (app: TestApp, rawToken: string, paths: string[]) => {
  const statuses = [];
  for (const path of paths) statuses.push((await get(app, path, rawToken)).status);
  return statuses;
};

describe('@KeysmithCost', () => {
  it.each([-1, 1.5, Number.NaN, '2'])('refuses %s when the route is decorated', (cost) => {
    expect(() => KeysmithCost(cost as number)).toThrow(TypeError);
  });
});

describe.each(databaseVariants())('token quotas in one process on $database', (variant) => {
  let app: TestApp;
  let lowEvents: TokenQuotaLowEvent[];
  beforeAll(async () => {
    app = await startTestApp({ suite: 'token-quota', variant, controllers: [MeteredController], imports: [EventEmitterModule.forRoot()] });
    lowEvents = quotaLowEvents(app);
  });
  afterAll(() => app?.close());

  it(`takes each route's cost, refuses with 429 once too little is left, and writes the figure (${variantName(variant)})`, async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'metered', quota: { remaining: 5 } });
    const agent = uniqueAgent('quota');
    expect((await get(app, 'three', rawToken, agent)).status).toBe(200);
    expect(await app.tokens.quotaOf(token.id)).toEqual({ remaining: 2, refill: null });
    expect(await get(app, 'three', rawToken, agent)).toEqual({ status: 429, message: MESSAGES.rateLimited });
    expect(await statusesOf(app, rawToken, ['one', 'free', 'one', 'one', 'free'])).toEqual([200, 200, 200, 429, 200]);
    expect(await app.tokens.quotaOf(token.id)).toEqual({ remaining: 0, refill: null });

    const rows = await auditRowsOf(app, agent);
    expect(rows.map((row) => [row.action, row.tokenId, row.extra])).toEqual([
      ['auth_success', token.id, {}],
      ['auth_failed', token.id, { error_code: 'rate_limited', reason: 'quota_exhausted' }],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await app.dataSource.getRepository(Token).findOneByOrFail({ id: token.id })).quotaRemaining).toBe(0);
  });

  it(`refills to the amount every interval, and update sets the quota afresh (${variantName(variant)})`, async () => {
    const { token, rawToken } = await app.tokens.create({
      name: 'refilled',
      quota: { remaining: 1, refill: { amount: 2, intervalSeconds: 1 } },
    });
    expect(await statusesOf(app, rawToken, ['one', 'one'])).toEqual([200, 429]);
    await sleep(1_100);
    expect(await statusesOf(app, rawToken, ['one', 'one', 'one'])).toEqual([200, 200, 429]);

    await app.tokens.update(token.id, { quota: { remaining: 4 } });
    expect(await app.tokens.quotaOf(token.id)).toEqual({ remaining: 4, refill: null });
    expect(await statusesOf(app, rawToken, ['three', 'one', 'one'])).toEqual([200, 200, 429]);
    await app.tokens.update(token.id, { quota: null });
    expect(await app.tokens.quotaOf(token.id)).toBeNull();
    expect(await statusesOf(app, rawToken, ['three', 'three'])).toEqual([200, 200]);
  });

  it(`sends quota_low once, from the request that takes a refilling quota to a tenth of its amount (${variantName(variant)})`, async () => {
    const { token, rawToken } = await app.tokens.create({
      name: 'low',
      quota: { remaining: 20, refill: { amount: 20, intervalSeconds: 3_600 } },
    });
    const { rawToken: unrefilled } = await app.tokens.create({ name: 'low-once', quota: { remaining: 20 } });
    const before = Date.now();
    lowEvents.length = 0;
    expect(await statusesOf(app, unrefilled, Array<string>(7).fill('three'))).toEqual([200, 200, 200, 200, 200, 200, 429]);
    expect(await statusesOf(app, rawToken, Array<string>(5).fill('three'))).toEqual([200, 200, 200, 200, 200]);
    expect(lowEvents).toEqual([]);
    // 5 left, then 2: the line (2) is crossed; below it, no second event.
    expect(await statusesOf(app, rawToken, ['three', 'one', 'one', 'one'])).toEqual([200, 200, 200, 429]);
    expect(lowEvents).toHaveLength(1);
    const [event] = lowEvents;
    expect(event).toMatchObject({ remaining: 2, threshold: 2, actorId: null, source: null, token: { id: token.id } });
    expect(event.refillAt.getTime()).toBeGreaterThanOrEqual(before + 3_599_000);
    expect(event.refillAt.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);
  });

  it(`refuses a bad quota, naming the field (${variantName(variant)})`, async () => {
    const fieldOf = async (quota: unknown) => {
      const error = await app.tokens.create({ name: 'bad-quota', quota: quota as never }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KeysmithValidationError);
      return (error as KeysmithValidationError).field;
    };
    expect(await fieldOf({ remaining: -1 })).toBe('quota.remaining');
    expect(await fieldOf({ remaining: 1.5 })).toBe('quota.remaining');
    expect(await fieldOf({ remaining: 10, refill: { intervalSeconds: 60 } })).toBe('quota.refill.amount');
    expect(await fieldOf({ remaining: 10, refill: { amount: 0, intervalSeconds: 60 } })).toBe('quota.refill.amount');
    expect(await fieldOf({ remaining: 10, refill: { amount: 5, intervalSeconds: 0 } })).toBe('quota.refill.intervalSeconds');
    expect(await fieldOf(5)).toBe('quota');
  });
});

const sharedDatabases = databaseVariants().filter((variant) => variant.database !== 'sqlite-memory');

describe.skipIf(!inject('redis')).each(sharedDatabases)('token quotas across two instances on one Redis, $database', (variant) => {
  let first: TestApp | undefined;
  let second: TestApp;
  beforeAll(async () => {
    const options = {
      suite: 'token-quota-redis',
      variant,
      controllers: [MeteredController],
      imports: [EventEmitterModule.forRoot()],
      keysmith: { redis: REDIS_URL },
    };
    first = await startTestApp(options);
    second = await startTestApp({ ...options, keepSchema: true });
  });

  it(`sends quota_low from one instance only when 280 concurrent requests cross the line (${variantName(variant)})`, async () => {
    const events = quotaLowEvents(first!, second);
    const { token, rawToken } = await first!.tokens.create({
      name: 'shared-low',
      quota: { remaining: 300, refill: { amount: 300, intervalSeconds: 3_600 } },
    });
    const replies = await Promise.all(Array.from({ length: 280 }, (_, i) => get(i % 2 === 0 ? first! : second, 'one', rawToken)));
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ remaining: 30, threshold: 30, token: { id: token.id } });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it(`lets exactly 100 of 1,000 concurrent requests on two instances through a quota of 100 (${variantName(variant)})`, async () => {
    const shutDown = first!;
    const { token, rawToken } = await shutDown.tokens.create({ name: 'shared-quota', quota: { remaining: 100 } });
    const replies = await Promise.all(Array.from({ length: 1_000 }, (_, i) => get(i % 2 === 0 ? shutDown : second, 'one', rawToken)));
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(100);
    expect(replies.filter((reply) => reply.status === 429)).toHaveLength(900);
    expect(await second.tokens.quotaOf(token.id)).toEqual({ remaining: 0, refill: null });
    // Written within a second, and at shutdown at the latest.
    first = undefined;
    await shutDown.close();
    expect((await second.dataSource.getRepository(Token).findOneByOrFail({ id: token.id })).quotaRemaining).toBe(0);
  });
});
