import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildToken } from '../../lib/index.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from './fixtures/guard-controllers.js';
import { MESSAGES, call } from './fixtures/guard-http.js';

const tokenSelects = (queries: string[]) => queries.filter((sql) => /^SELECT/i.test(sql) && sql.includes('keysmith_token'));
const lastUsedUpdates = (queries: string[]) => queries.filter((sql) => /^UPDATE/i.test(sql) && /last_used_at/.test(sql));
const auditInserts = (queries: string[]) => queries.filter((sql) => /^INSERT/i.test(sql) && sql.includes('keysmith_token_audit_log'));

async function sinceHere(app: TestApp, work: () => Promise<void>): Promise<string[]> {
  const start = app.queries.length;
  await work();
  await Promise.all([app.auditLog.flush(), app.tokens.flushLastUsed()]);
  return app.queries.slice(start);
}

describe.each(databaseVariants())('the hot path on %s', (variant) => {
  describe(`with the cache on (${variantName(variant)})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        suite: 'hot-path',
        variant,
        controllers: [GuardedApiController],
        keysmith: { auditBatchSize: 100 },
      });
    });
    afterAll(() => app?.close());

    it('accepts a verified token from memory: no token query, one lastUsedAt write, audit rows in one INSERT', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'warm' });
      expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
      await Promise.all([app.auditLog.flush(), app.tokens.flushLastUsed()]);

      const queries = await sinceHere(app, async () => {
        for (let i = 0; i < 30; i++) expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
      });
      expect(tokenSelects(queries)).toEqual([]);
      expect(lastUsedUpdates(queries)).toEqual([]);
      expect(auditInserts(queries)).toHaveLength(1);
      const rows = await app.auditLog.list({ tokenId: token.id, action: 'auth_success' });
      expect(rows).toHaveLength(31);
    });

    it('still checks expiry on every hit: a cached token that expires gets 401 without a query', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'expiring', expiresAt: new Date(Date.now() + 1_500) });
      expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      const queries = await sinceHere(app, async () => {
        const expired = await call(app, '/api/health', { token: rawToken });
        expect(expired.status).toBe(401);
        expect(expired.body.message).toBe(MESSAGES.invalidToken);
      });
      expect(tokenSelects(queries)).toEqual([]);
      const [row] = await app.auditLog.list({ tokenId: token.id, action: 'auth_failed' });
      expect(row?.extra).toMatchObject({ error_code: 'expired_token' });
    });

    it('drops a token from the cache the moment it is rotated, revoked or purged here', async () => {
      for (const change of ['rotate', 'revoke', 'purge'] as const) {
        const { token, rawToken } = await app.tokens.create({ name: `cached-then-${change}` });
        expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
        await app.tokens[change](token.id);
        expect((await call(app, '/api/health', { token: rawToken })).status).toBe(401);
      }
    });

    it('sees lastUsedAt on the token authenticate() returns from the cache', async () => {
      const { rawToken } = await app.tokens.create({ name: 'last-used-in-memory' });
      await app.tokens.authenticate(rawToken);
      const before = Date.now();
      const again = await app.tokens.authenticate(rawToken);
      expect(again.lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before);
    });
  });

  describe(`resolving users with the cache on (${variantName(variant)})`, () => {
    let app: TestApp;
    const resolved: string[] = [];
    beforeAll(async () => {
      app = await startTestApp({
        suite: 'hot-path-users',
        variant,
        controllers: [GuardedApiController],
        keysmith: { resolveUser: (userId) => (resolved.push(userId), { id: userId }) },
      });
    });
    afterAll(() => app?.close());

    it('resolves the user of a verified token once per cache entry, and again after a rotation', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'with-user', user: 'resolved-once' });
      for (let i = 0; i < 5; i++) expect((await call(app, '/api/me', { token: rawToken })).body.user).toEqual({ id: 'resolved-once' });
      expect(resolved.filter((id) => id === 'resolved-once')).toHaveLength(1);
      const rotated = await app.tokens.rotate(token.id);
      expect((await call(app, '/api/me', { token: rotated })).status).toBe(200);
      expect(resolved.filter((id) => id === 'resolved-once')).toHaveLength(2);
    });
  });

  describe(`with the cache off (${variantName(variant)})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        suite: 'hot-path-uncached',
        variant,
        controllers: [GuardedApiController],
        keysmith: { cacheTtlSeconds: 0, auditBatchSize: 100 },
      });
    });
    afterAll(() => app?.close());

    it('looks the token up on every request, but still writes lastUsedAt once per interval', async () => {
      const { rawToken } = await app.tokens.create({ name: 'cold' });
      const queries = await sinceHere(app, async () => {
        for (let i = 0; i < 10; i++) expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
      });
      expect(tokenSelects(queries)).toHaveLength(10);
      expect(lastUsedUpdates(queries)).toHaveLength(1);
    });

    it('answers a token with a bad checksum without any query', async () => {
      const { rawToken } = await app.tokens.create({ name: 'typo' });
      const typo = `${rawToken.slice(0, -1)}${rawToken.endsWith('0') ? '1' : '0'}`;
      const queries = await sinceHere(app, async () => {
        expect((await call(app, '/api/health', { token: typo })).status).toBe(401);
      });
      expect(queries.filter((sql) => !auditInserts([sql]).length)).toEqual([]);
    });
  });

  describe(`audit rows (${variantName(variant)})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        suite: 'hot-path-audit',
        variant,
        controllers: [GuardedApiController],
        keysmith: { auditBatchSize: 10 },
      });
    });
    afterAll(() => app?.close());

    it('writes buffered rows in multi-row INSERTs of at most auditBatchSize rows', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'batched' });
      const queries = await sinceHere(app, async () => {
        await Promise.all(Array.from({ length: 25 }, () => call(app, '/api/health', { token: rawToken })));
      });
      expect(auditInserts(queries).length).toBeGreaterThanOrEqual(3);
      expect(auditInserts(queries).length).toBeLessThanOrEqual(5);
      expect(await app.auditLog.list({ tokenId: token.id, action: 'auth_success' })).toHaveLength(25);
    });
  });
});

describe.each(databaseVariants())('failed attempts on %s', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      suite: 'failed-attempts',
      variant,
      controllers: [GuardedApiController],
      trustProxy: true,
      keysmith: { failedAttemptsLimit: 3, cacheTtlSeconds: 0 },
    });
  });
  afterAll(() => app?.close());

  const from = (ip: string, token: string) => ({ token, headers: { 'x-forwarded-for': ip } });

  it(`refuses a prefix to an IP after too many wrong secrets, without hashing, and not to its owner elsewhere (${variantName(variant)})`, async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'under-attack' });
    const wrongSecret = buildToken(token.prefix, 'W'.repeat(32));
    for (let i = 0; i < 3; i++) {
      expect((await call(app, '/api/health', from('203.0.113.9', wrongSecret))).status).toBe(401);
    }
    const queries = await sinceHere(app, async () => {
      const blocked = await call(app, '/api/health', from('203.0.113.9', rawToken));
      expect(blocked.status).toBe(429);
      expect(blocked.body.message).toBe(MESSAGES.rateLimited);
    });
    expect(tokenSelects(queries)).toEqual([]);
    expect((await call(app, '/api/health', from('198.51.100.7', rawToken))).status).toBe(200);

    await app.auditLog.flush();
    const limited = (await app.auditLog.list({ action: 'auth_failed' })).filter(
      (row) => row.extra.error_code === 'rate_limited' && row.ipAddress === '203.0.113.9',
    );
    expect(limited).toHaveLength(1);
    expect(limited[0].extra).toMatchObject({ reason: 'failed_attempts', prefix: token.prefix });
  });

  it(`counts unknown prefixes too (${variantName(variant)})`, async () => {
    const unknown = buildToken('tok_Unknown1', 'U'.repeat(32));
    for (let i = 0; i < 3; i++) expect((await call(app, '/api/health', from('203.0.113.10', unknown))).status).toBe(401);
    expect((await call(app, '/api/health', from('203.0.113.10', unknown))).status).toBe(429);
  });
});
