import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { KEYSMITH_ENTITIES, TokenAuditLog } from '../../lib/index.js';
import { databaseOptions } from '../support/databases.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from './fixtures/guard-controllers.js';
import { call } from './fixtures/guard-http.js';

const errorsOf = (app: TestApp) => app.logs.filter((entry) => entry.level === 'error').map((entry) => entry.message);
const slowFlush = { auditFlushIntervalMs: 60_000, auditBatchSize: 1_000 };

describe.each(databaseVariants().filter((variant) => variant.database !== 'sqlite-memory'))('audit rows at shutdown on %s', (variant) => {
  it(`writes the rows still buffered when the application closes (${variantName(variant)})`, async () => {
    const app = await startTestApp({ suite: 'audit-shutdown', variant, controllers: [GuardedApiController], keysmith: slowFlush });
    const { token, rawToken } = await app.tokens.create({ name: 'closing' });
    for (let i = 0; i < 7; i++) expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
    await app.close();

    const check = new DataSource({
      ...(await databaseOptions(variant.database, 'audit-shutdown')),
      synchronize: false,
      dropSchema: false,
      entities: KEYSMITH_ENTITIES,
    });
    await check.initialize();
    try {
      expect(await check.getRepository(TokenAuditLog).countBy({ tokenId: token.id, action: 'auth_success' })).toBe(7);
    } finally {
      await check.destroy();
    }
  });
});

describe.each(databaseVariants())('audit rows that cannot be written on %s', (variant) => {
  describe(`the audit table is gone (${variantName(variant)})`, () => {
    let app: TestApp;
    let rawToken: string;
    beforeAll(async () => {
      app = await startTestApp({ suite: 'audit-lost', variant, controllers: [GuardedApiController], keysmith: slowFlush });
      ({ rawToken } = await app.tokens.create({ name: 'unlogged' }));
      await app.dataSource.query('DROP TABLE keysmith_token_audit_log');
    });
    afterAll(() => app?.close());

    it('tries the batch again, then logs once how many rows were lost; the requests all succeed', async () => {
      const before = errorsOf(app).length;
      for (let i = 0; i < 4; i++) expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
      await app.auditLog.flush();
      expect(errorsOf(app).slice(before)).toEqual([expect.stringMatching(/auth_success.*lost 4 row\(s\)/)]);
    });
  });

  describe(`the buffer is full (${variantName(variant)})`, () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        suite: 'audit-full',
        variant,
        controllers: [GuardedApiController],
        keysmith: { ...slowFlush, auditMaxBuffered: 3 },
      });
    });
    afterAll(() => app?.close());

    it('keeps at most auditMaxBuffered rows and reports the rest as lost', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'overflowing' });
      const before = errorsOf(app).length;
      for (let i = 0; i < 5; i++) expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
      await app.auditLog.flush();
      expect(await app.auditLog.list({ tokenId: token.id, action: 'auth_success' })).toHaveLength(3);
      expect(errorsOf(app).slice(before)).toEqual([expect.stringContaining('lost 2 row(s)')]);
    });
  });
});

describe.each(databaseVariants())('audit values written in one batch on %s', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'audit-values', variant, controllers: [GuardedApiController], keysmith: slowFlush });
  });
  afterAll(() => app?.close());

  it(`keeps quotes, backslashes, braces, commas, "NULL", empty and non-ASCII values exactly (${variantName(variant)})`, async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'awkward' });
    const agents = ['"quoted" and \\backslash\\', '{braces}, commas', 'NULL', ''];
    for (const agent of agents) expect((await call(app, '/api/health', { token: rawToken, agent })).status).toBe(200);
    const note = 'é ✓ \u{1F511} "q" \\ {x}, NULL';
    await app.auditLog.record({ action: 'rotated', tokenId: token.id, extra: { note, nothing: null } });
    await app.auditLog.flush();

    const rows = await app.auditLog.list({ tokenId: token.id, action: 'auth_success' });
    expect(rows.map((row) => row.userAgent).sort()).toEqual([...agents].sort());
    expect(rows.every((row) => row.path === '/api/health' && row.statusCode === 200 && row.createdAt instanceof Date)).toBe(true);
    const [rotated] = await app.auditLog.list({ tokenId: token.id, action: 'rotated' });
    expect(rotated?.extra).toEqual({ note, nothing: null });
    expect(rotated?.path).toBeNull();
  });
});
