import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KEYSMITH_ENTITIES, type KeysmithModuleOptions } from '../../lib/index.js';
import { startChildApp, type ChildApp } from '../support/child-app.js';
import { databaseOptions } from '../support/databases.js';
import { REDIS_URL } from '../support/redis.js';

const INSTANCE = fileURLToPath(new URL('./fixtures/instance.ts', import.meta.url));
const postgres = inject('databases').filter((database) => database === 'postgres');

async function health(instance: ChildApp, rawToken: string): Promise<number> {
  return (await fetch(`${instance.url}/api/health`, { headers: { 'x-keysmith-token': rawToken } })).status;
}

async function admin(instance: ChildApp, path: string, body?: unknown): Promise<{ id: string; rawToken: string }> {
  const init = body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
  const response = await fetch(`${instance.url}/admin/tokens${path}`, { method: 'POST', ...init });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as { id: string; rawToken: string };
}

/** Polls until the instance refuses the token: how long that took from `since`, and how many requests. */
async function untilRefused(
  instance: ChildApp,
  rawToken: string,
  since: number,
  limitMs: number,
): Promise<{ ms: number; requests: number }> {
  for (let requests = 1; performance.now() - since < limitMs; requests++) {
    if ((await health(instance, rawToken)) === 401) return { ms: performance.now() - since, requests };
  }
  return { ms: Number.POSITIVE_INFINITY, requests: Number.POSITIVE_INFINITY };
}

const percentile = (values: number[], share: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(share * values.length))];

/** Two processes of one application on one fresh PostgreSQL database. */
function twoInstances(suite: string, keysmith: KeysmithModuleOptions) {
  const instances: ChildApp[] = [];
  beforeAll(async () => {
    const connection = await databaseOptions('postgres', suite);
    await (await new DataSource({ ...connection, entities: KEYSMITH_ENTITIES }).initialize()).destroy();
    const env = { DATABASE_URL: (connection as { url: string }).url, KEYSMITH_OPTIONS: JSON.stringify({ bcryptRounds: 4, ...keysmith }) };
    instances.push(
      ...(await Promise.all([0, 1].map(() => startChildApp({ script: INSTANCE, env, ready: /listening on (http:\/\/\S+)/ })))),
    );
  }, 60_000);
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
  });
  return instances;
}

describe.skipIf(!inject('redis')).each(postgres)('two app processes sharing %s and Redis', () => {
  const TRIES = 15;
  const instances = twoInstances('security-two-instances-redis', { redis: REDIS_URL });

  it(`a token revoked through one process is refused by the other at once: measured over ${TRIES} tokens`, async () => {
    const [first, second] = instances as [ChildApp, ChildApp];
    const refusals: Array<{ ms: number; requests: number }> = [];
    for (let i = 0; i < TRIES; i++) {
      const { id, rawToken } = await admin(first, '');
      expect(await health(second, rawToken)).toBe(200);
      await admin(first, `/${id}/revoke`);
      refusals.push(await untilRefused(second, rawToken, performance.now(), 5_000));
    }
    const delays = refusals.map((refusal) => refusal.ms);
    console.log(
      `[two processes] revoked through one process, refused by the other (Redis): ${refusals.filter((refusal) => refusal.requests === 1).length}/${TRIES} ` +
        `on the first request after revoke() resolved; first refusal after median ${percentile(delays, 0.5).toFixed(1)} ms, ` +
        `max ${Math.max(...delays).toFixed(1)} ms, one HTTP round trip included (the cache TTL is 60 s)`,
    );
    expect(Math.max(...delays)).toBeLessThan(1_000);
  });

  it('a token rotated through one process stops working on the other, and its new raw token works there', async () => {
    const [first, second] = instances as [ChildApp, ChildApp];
    const { id, rawToken } = await admin(first, '');
    expect(await health(second, rawToken)).toBe(200);
    const { rawToken: rotated } = await admin(first, `/${id}/rotate`);
    expect((await untilRefused(second, rawToken, performance.now(), 1_000)).ms).toBeLessThan(1_000);
    expect(await health(second, rotated)).toBe(200);
  });

  it('a grace period started through one process ends on the other at its deadline, though the other cached the old secret for 60 s', async () => {
    const [first, second] = instances as [ChildApp, ChildApp];
    const { id, rawToken } = await admin(first, '');
    expect(await health(second, rawToken)).toBe(200);
    const sent = performance.now();
    const { rawToken: rotated } = await admin(first, `/${id}/rotate`, { graceSeconds: 2 });
    // The deadline was set while the rotation ran: 2 s after a moment between these two.
    const [earliest, latest] = [sent + 2_000, performance.now() + 2_000];
    expect(await health(second, rawToken)).toBe(200);
    expect(await health(second, rotated)).toBe(200);
    // Warm on the other process now: the old secret is served from its cache until the deadline, and no longer.
    while (performance.now() < earliest - 100) expect(await health(second, rawToken)).toBe(200);
    const { ms } = await untilRefused(second, rawToken, latest, 5_000);
    console.log(
      `[two processes] grace of 2 s: the other process refused the old secret ${ms.toFixed(0)} ms after the latest possible deadline (cache TTL 60 s)`,
    );
    expect(ms).toBeLessThan(300);
    expect(await health(second, rotated)).toBe(200);
  });

  it('a token disabled through one process is refused by the other at once, and accepted again once enabled', async () => {
    const [first, second] = instances as [ChildApp, ChildApp];
    const { id, rawToken } = await admin(first, '');
    expect(await health(second, rawToken)).toBe(200);
    await admin(first, `/${id}/disable`);
    expect((await untilRefused(second, rawToken, performance.now(), 1_000)).requests).toBe(1);
    await admin(first, `/${id}/enable`);
    expect(await health(second, rawToken)).toBe(200);
  });
});

describe.each(postgres)('two app processes sharing %s without Redis', () => {
  const TTL_MS = 2_000;
  const instances = twoInstances('security-two-instances-ttl', { cacheTtlSeconds: TTL_MS / 1000 });

  it('the other process accepts a revoked token it verified until its cache entry expires, and no longer: cacheTtlSeconds is the bound', async () => {
    const [first, second] = instances as [ChildApp, ChildApp];
    const { id, rawToken } = await admin(first, '');
    const verifiedAt = performance.now();
    expect(await health(second, rawToken)).toBe(200);
    await admin(first, `/${id}/revoke`);
    expect(await health(first, rawToken)).toBe(401);
    expect(await health(second, rawToken)).toBe(200);
    const { ms: refusedAfter } = await untilRefused(second, rawToken, verifiedAt, TTL_MS + 2_000);
    console.log(
      `[two processes] without Redis: the other process refused the revoked token ${refusedAfter.toFixed(0)} ms after verifying it (cacheTtlSeconds ${TTL_MS / 1000})`,
    );
    expect(refusedAfter).toBeGreaterThanOrEqual(TTL_MS - 100);
    expect(refusedAfter).toBeLessThan(TTL_MS + 1_000);
  });
});
