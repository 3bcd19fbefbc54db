import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Token, type TokenAuditLog } from '../../lib/index.js';
import { randomBase62 } from '../../lib/token-format/base62.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from '../e2e/fixtures/guard-controllers.js';
import { call } from '../e2e/fixtures/guard-http.js';

vi.mock('../../lib/token-format/base62.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/token-format/base62.js')>();
  return { ...actual, randomBase62: vi.fn(actual.randomBase62) };
});
const { randomBase62: realRandomBase62 } =
  await vi.importActual<typeof import('../../lib/token-format/base62.js')>('../../lib/token-format/base62.js');

/** The next `count` identifiers drawn are `identifier`; every other draw stays random. */
function drawIdentifier(identifier: string, count: number): void {
  let left = count;
  vi.mocked(randomBase62).mockImplementation((length) =>
    length === identifier.length && left-- > 0 ? identifier : realRandomBase62(length),
  );
}

interface Sent {
  sentAt: number;
  status: number;
}

/**
 * Sends `count` requests with one raw token, spread over time, and runs `change` after the first
 * quarter; the second half is sent only once `change` has resolved, while the rest may still be
 * in flight.
 */
async function requestsAround(app: TestApp, rawToken: string, change: () => Promise<unknown>, count = 200) {
  const replies: Array<Promise<Sent>> = [];
  const send = () => {
    const sentAt = performance.now();
    replies.push(call(app, '/api/health', { token: rawToken }).then((reply) => ({ sentAt, status: reply.status })));
  };
  let changing: Promise<number> | undefined;
  for (let i = 0; i < count / 2; i++) {
    if (i === count / 4) changing = change().then(() => performance.now());
    send();
    if (i % 10 === 9) await sleep(1);
  }
  const changedAt = await changing!;
  for (let i = 0; i < count / 2; i++) send();
  const sent = await Promise.all(replies);
  return {
    before: sent.filter((reply) => reply.sentAt < changedAt).map((reply) => reply.status),
    after: sent.filter((reply) => reply.sentAt > changedAt).map((reply) => reply.status),
  };
}

const tally = (statuses: number[]) => {
  const counts = new Map<number, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n}×${status}`).join(' ') || 'none';
};

const servers = databaseVariants().filter((variant) => variant.database === 'postgres' || variant.database === 'mariadb');

describe.each(servers)('concurrent creates on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'security-concurrent-create', variant });
  });
  afterAll(() => app?.close());

  it(
    `1,000 concurrent creates give 1,000 distinct prefixes, each stored and audited once (${variantName(variant)})`,
    { timeout: 120_000 },
    async () => {
      const owner = `owner-${Date.now()}`;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 1_000 }, (_, i) => app.tokens.create({ name: `burst-${i}`, user: owner })),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
      const created = outcomes.map(
        (outcome) => (outcome as PromiseFulfilledResult<Awaited<ReturnType<TestApp['tokens']['create']>>>).value,
      );
      expect(new Set(created.map(({ token }) => token.prefix)).size).toBe(1_000);
      const stored = await app.dataSource.getRepository(Token).findBy({ userId: owner });
      expect(new Set(stored.map((token) => token.prefix)).size).toBe(1_000);
      const audited = await app.dataSource.query<Array<{ n: number | string }>>(
        `SELECT COUNT(*) AS n FROM keysmith_token_audit_log WHERE action = 'created'`,
      );
      expect(Number(audited[0].n)).toBe(1_000);
    },
  );

  it('draws a fresh identifier when the drawn prefix is taken: 50 concurrent creates that collide all succeed', async () => {
    const taken = await app.tokens.create({ name: 'taken' });
    const identifier = taken.token.prefix.slice('tok_'.length);
    drawIdentifier(identifier, 50);
    try {
      const insertsBefore = app.queries.filter((sql) => /^INSERT INTO .keysmith_token.\s*\(/i.test(sql)).length;
      const created = await Promise.all(Array.from({ length: 50 }, (_, i) => app.tokens.create({ name: `collides-${i}` })));
      const inserts = app.queries.filter((sql) => /^INSERT INTO .keysmith_token.\s*\(/i.test(sql)).length - insertsBefore;
      expect(new Set([taken.token.prefix, ...created.map(({ token }) => token.prefix)]).size).toBe(51);
      expect(inserts).toBe(100);
      await Promise.all(created.map(async ({ token, rawToken }) => expect((await app.tokens.authenticate(rawToken)).id).toBe(token.id)));
    } finally {
      vi.mocked(randomBase62).mockImplementation(realRandomBase62);
    }
  });
});

describe.each(servers)('lifecycle changes under 200 concurrent requests on $database', (variant) => {
  describe.each([
    { cache: 'with the verification cache', cacheTtlSeconds: 60 },
    { cache: 'without it', cacheTtlSeconds: 0 },
  ])('$cache', ({ cache, cacheTtlSeconds }) => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        suite: 'security-concurrent-lifecycle',
        variant,
        controllers: [GuardedApiController],
        keysmith: { cacheTtlSeconds, failedAttemptsLimit: 0 },
      });
    });
    afterAll(() => app?.close());

    it.each(['rotate', 'revoke', 'purge'] as const)(
      `no request sent after %s resolves succeeds with the old raw token (${variantName(variant)})`,
      async (change) => {
        const { token, rawToken } = await app.tokens.create({ name: `raced-${change}` });
        let rotated: string | undefined;
        const { before, after } = await requestsAround(app, rawToken, async () => {
          const result = await app.tokens[change](token.id);
          if (typeof result === 'string') rotated = result;
        });
        console.log(`[race] ${change} on ${variant.database}, ${cache}: sent before it resolved ${tally(before)}, after ${tally(after)}`);
        expect([...before, ...after].filter((status) => status !== 200 && status !== 401)).toEqual([]);
        expect(before).toContain(200);
        expect(after.length).toBeGreaterThanOrEqual(100);
        expect(after.filter((status) => status !== 401)).toEqual([]);
        if (rotated) expect((await call(app, '/api/health', { token: rotated })).status).toBe(200);
      },
    );
  });
});

describe.each(servers)('concurrent revoke and purge on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'security-concurrent-purge', variant });
  });
  afterAll(() => app?.close());

  const summary = (rows: TokenAuditLog[]) => rows.map((row) => (row.extra.purge === true ? 'purge' : 'revoke')).sort();

  it(`each token ends purged and revoked, with one purge row and at most one revoke row (${variantName(variant)})`, async () => {
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => app.tokens.create({ name: `contested-${i}` })));
    const outcomes = await Promise.allSettled(
      created.flatMap(({ token }) => [
        app.tokens.revoke(token.id, { actor: 'a' }),
        app.tokens.purge(token.id, { actor: 'b' }),
        app.tokens.revoke(token.prefix, { actor: 'c' }),
        app.tokens.purge(token.prefix, { actor: 'd' }),
      ]),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    for (const { token, rawToken } of created) {
      expect(await app.dataSource.getRepository(Token).findOneByOrFail({ id: token.id })).toMatchObject({ revoked: true, purged: true });
      const rows = await app.auditLog.list({ tokenId: token.id, action: 'revoked' });
      expect([['purge'], ['purge', 'revoke']]).toContainEqual(summary(rows));
      expect(await app.auditLog.list({ tokenId: token.id, action: 'created' })).toHaveLength(1);
      await expect(app.tokens.authenticate(rawToken)).rejects.toThrow(/purged/);
    }
  });
});
