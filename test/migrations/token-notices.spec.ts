import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogService,
  CreateKeysmithTables1795737600000,
  KEYSMITH_ENTITIES,
  KEYSMITH_MIGRATIONS,
  KeysmithTokenNotices1797206400000,
  Token,
  TokenAuditLog,
  TokenNotice,
  resolveKeysmithOptions,
} from '../../lib/index.js';
import { KeysmithEventEmitter } from '../../lib/events/keysmith-event-emitter.js';
import { ExpiryWarningScanner } from '../../lib/notices/expiry-warning-scanner.js';
import { TokenNotices } from '../../lib/notices/token-notices.js';
import { cliDatabases } from '../cli/cli-database.js';
import { databaseOptions } from '../support/databases.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Tokens as 0.1.0 stored them: one expiring in three days, one in sixty, one never. */
const TOKENS = [
  { id: '00000000-0000-4000-8000-000000000001', prefix: 'tok_soonsoon', expiresInDays: 3 },
  { id: '00000000-0000-4000-8000-000000000002', prefix: 'tok_laterlat', expiresInDays: 60 },
  { id: '00000000-0000-4000-8000-000000000003', prefix: 'tok_forever0', expiresInDays: null },
];

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC, which this suite's process (TZ=UTC or not) writes for both 0.1.0 and now alike. */
const sqlTime = (date: Date) => date.toISOString().replace('T', ' ').replace('Z', '');

describe.each(cliDatabases())('KeysmithTokenNotices1797206400000 on a 0.1.0 %s database holding tokens', (database) => {
  let connection: DataSourceOptions;
  const open: DataSource[] = [];

  async function current(): Promise<DataSource> {
    const source = new DataSource({ ...connection, entities: KEYSMITH_ENTITIES, migrations: KEYSMITH_MIGRATIONS });
    open.push(source);
    return source.initialize();
  }

  async function expiryIndexes(source: DataSource): Promise<string[][]> {
    const queryRunner = source.createQueryRunner();
    try {
      const table = await queryRunner.getTable('keysmith_token');
      return table!.indices.map((index) => index.columnNames).filter((columns) => columns.includes('expires_at'));
    } finally {
      await queryRunner.release();
    }
  }

  beforeAll(async () => {
    connection = { ...(await databaseOptions(database, 'migrations_token_notices')), synchronize: false, dropSchema: false };
    const old = await new DataSource({ ...connection, dropSchema: true, migrations: [CreateKeysmithTables1795737600000] }).initialize();
    try {
      await old.runMigrations();
      for (const token of TOKENS) {
        const expiresAt = token.expiresInDays === null ? 'NULL' : `'${sqlTime(new Date(Date.now() + token.expiresInDays * DAY_MS))}'`;
        await old.query(
          `INSERT INTO ${old.driver.escape('keysmith_token')} (id, name, description, scopes, ${old.driver.escape('key')}, prefix, created_at, expires_at) ` +
            `VALUES ('${token.id}', '${token.prefix}', '', '["read"]', 'sha256$stored', '${token.prefix}', '${sqlTime(new Date())}', ${expiresAt})`,
        );
      }
    } finally {
      await old.destroy();
    }
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((source) => source.destroy()));
  });

  it('adds the notice table and the expiry index, keeps every token, and leaves TypeORM nothing to change', async () => {
    const source = await current();
    const executed = await source.runMigrations();
    expect(executed.map((migration) => migration.name)).toContain('KeysmithTokenNotices1797206400000');

    const tokens = await source.getRepository(Token).find({ order: { prefix: 'ASC' } });
    expect(tokens.map(({ id, prefix, key, scopes, revoked }) => ({ id, prefix, key, scopes, revoked }))).toEqual(
      TOKENS.map(({ id, prefix }) => ({ id, prefix, key: 'sha256$stored', scopes: ['read'], revoked: false })).sort((a, b) =>
        a.prefix.localeCompare(b.prefix),
      ),
    );
    expect(await source.getRepository(TokenNotice).count()).toBe(0);
    expect(await expiryIndexes(source)).toEqual([['expires_at']]);
    const log = await source.driver.createSchemaBuilder().log();
    expect(log.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('gives the expiry scan what it needs: the token expiring within 7 days is warned about once', async () => {
    const source = await current();
    const options = resolveKeysmithOptions({ expiryWarnings: { daysBefore: [7, 1] } });
    const auditLog = new AuditLogService(source.getRepository(TokenAuditLog), options);
    const notices = new TokenNotices(source.getRepository(TokenNotice));
    const scanner = new ExpiryWarningScanner(source.getRepository(Token), options, notices, auditLog, new KeysmithEventEmitter());

    expect(await scanner.scan()).toEqual({ expiring: 1, expired: 0 });
    expect(await scanner.scan()).toEqual({ expiring: 0, expired: 0 });
    const rows = await auditLog.list({ action: 'expiry_warning' });
    expect(rows.map((row): unknown[] => [row.tokenId, row.extra.days_before])).toEqual([[TOKENS[0].id, 7]]);
    await auditLog.onApplicationShutdown();
  });

  it('down drops the notice table and the expiry index, and keeps every token', async () => {
    const source = await current();
    // The migrations after it first, then it.
    for (let left = KEYSMITH_MIGRATIONS.length - KEYSMITH_MIGRATIONS.indexOf(KeysmithTokenNotices1797206400000); left > 0; left--) {
      await source.undoLastMigration();
    }
    const queryRunner = source.createQueryRunner();
    try {
      expect(await queryRunner.hasTable('keysmith_token_notice')).toBe(false);
    } finally {
      await queryRunner.release();
    }
    expect(await expiryIndexes(source)).toEqual([]);
    expect(await source.getRepository(Token).count()).toBe(TOKENS.length);
    expect(await source.showMigrations()).toBe(true);
  });
});
