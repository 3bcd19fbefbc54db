import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AuditRetention, KEYSMITH_MIGRATIONS, TokenAuditLog } from '../../lib/index.js';
import { insertRows } from '../../lib/audit/insert-rows.js';
import { TokenNotices } from '../../lib/notices/token-notices.js';
import { databaseOptions } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from './fixtures/guard-controllers.js';
import { call, uniqueAgent } from './fixtures/guard-http.js';

const SUITE = 'postgres_schema';
const SCHEMA = 'app';
const DAY_MS = 24 * 60 * 60 * 1000;

/** Runs statements on the suite's database with a client of its own, outside the app. */
async function onDatabase<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const { url } = (await databaseOptions('postgres', SUITE)) as { url: string };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * Every statement of the package, raw SQL among them, in the DataSource's `schema` rather than the
 * session's search path: the migrations, the multi-row audit INSERT, claims, notices and prunes.
 */
describe.each(inject('databases').filter((database) => database === 'postgres'))('A DataSource with a schema on %s', (database) => {
  let app: TestApp;

  beforeAll(async () => {
    await onDatabase(async (client) => {
      await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await client.query(`CREATE SCHEMA ${SCHEMA}`);
    });
    app = await startTestApp({
      suite: SUITE,
      variant: { database, adapter: 'express', registration: 'forRoot' },
      dataSource: { schema: SCHEMA, synchronize: false, dropSchema: false, migrationsRun: true, migrations: KEYSMITH_MIGRATIONS },
      keysmith: { auditRetentionDays: 90 },
      controllers: [GuardedApiController],
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('runs the migrations in the schema, the timestamps as timestamptz', async () => {
    const columns = await onDatabase(async (client) => {
      const result = await client.query<{ table_schema: string; table_name: string; column_name: string; data_type: string }>(
        "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns WHERE table_name LIKE 'keysmith%' AND column_name LIKE '%\\_at' ORDER BY table_name, column_name",
      );
      return result.rows.map((row) => `${row.table_schema}.${row.table_name}.${row.column_name} ${row.data_type}`);
    });
    const tables = new Set(columns.map((column) => column.split('.', 2).join('.')));
    expect([...tables]).toEqual([
      'app.keysmith_claim',
      'app.keysmith_token',
      'app.keysmith_token_audit_log',
      'app.keysmith_token_notice',
      'app.keysmith_token_usage',
    ]);
    expect(columns.filter((column) => !column.endsWith(' timestamp with time zone'))).toEqual([]);
  });

  it('writes the audit row of a guarded request into the schema', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'in a schema' });
    const agent = uniqueAgent('schema');
    expect((await call(app, '/api/health', { token: rawToken, agent })).status).toBe(200);
    expect((await call(app, '/api/health', { token: `${rawToken.slice(0, -1)}x`, agent })).status).toBe(401);
    await app.auditLog.flush();
    const rows = await onDatabase(async (client) => {
      const result = await client.query<{ action: string; token_id: string | null }>(
        `SELECT action, token_id FROM ${SCHEMA}.keysmith_token_audit_log WHERE user_agent = $1 ORDER BY created_at`,
        [agent],
      );
      return result.rows;
    });
    expect(rows).toEqual([
      { action: 'auth_success', token_id: token.id },
      { action: 'auth_failed', token_id: null },
    ]);
  });

  it('adds the usage counts of guarded requests to the table in the schema', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'counted in a schema' });
    expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
    expect((await app.tokens.usage(token.id)).successes).toBe(1);
    expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
    expect((await app.tokens.usage(token.id)).successes).toBe(2);
    const counts = await onDatabase(async (client) => {
      const result = await client.query<{ count: number }>(`SELECT count FROM ${SCHEMA}.keysmith_token_usage WHERE token_id = $1`, [
        token.id,
      ]);
      return result.rows.map((row) => row.count);
    });
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(2);
  });

  it('claims a notice once and prunes old audit rows under the retention claim', async () => {
    const notices = app.app.get(TokenNotices);
    const tokenId = randomUUID();
    expect(await notices.claim(tokenId, 'expiry_7d')).toBe(true);
    expect(await notices.claim(tokenId, 'expiry_7d')).toBe(false);

    const old = Array.from({ length: 3 }, () =>
      Object.assign(new TokenAuditLog(), {
        id: randomUUID(),
        tokenId: null,
        action: 'created',
        path: null,
        method: null,
        statusCode: null,
        ipAddress: null,
        userAgent: null,
        extra: {},
        createdAt: new Date(Date.now() - 400 * DAY_MS),
      }),
    );
    await insertRows(app.dataSource.getRepository(TokenAuditLog), old);
    expect(await app.app.get(AuditRetention).run()).toBe(3);
  });
});
