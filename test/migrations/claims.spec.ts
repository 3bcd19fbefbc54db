import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateKeysmithTables1795737600000,
  KEYSMITH_ENTITIES,
  KEYSMITH_MIGRATIONS,
  KeysmithClaim,
  KeysmithClaims1797379200000,
  Token,
  TokenAuditLog,
  createStandaloneKeysmith,
} from '../../lib/index.js';
import { JobClaims } from '../../lib/claims/job-claims.js';
import { cliDatabases } from '../cli/cli-database.js';
import { databaseOptions } from '../support/databases.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const TOKEN_ID = '00000000-0000-4000-8000-0000000000c1';

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC. */
const sqlTime = (date: Date) => date.toISOString().replace('T', ' ').replace('Z', '');

describe.each(cliDatabases())('KeysmithClaims1797379200000 on a 0.1.0 %s database holding tokens and audit rows', (database) => {
  let connection: DataSourceOptions;
  const open: DataSource[] = [];

  async function current(): Promise<DataSource> {
    const source = new DataSource({ ...connection, entities: KEYSMITH_ENTITIES, migrations: KEYSMITH_MIGRATIONS });
    open.push(source);
    return source.initialize();
  }

  const hasClaimTable = async (source: DataSource) => {
    const queryRunner = source.createQueryRunner();
    try {
      return await queryRunner.hasTable('keysmith_claim');
    } finally {
      await queryRunner.release();
    }
  };

  /** A token and two audit rows as 0.1.0 wrote them: one 200 days old, one from today. */
  beforeAll(async () => {
    connection = { ...(await databaseOptions(database, 'migrations_claims')), synchronize: false, dropSchema: false };
    const old = await new DataSource({ ...connection, dropSchema: true, migrations: [CreateKeysmithTables1795737600000] }).initialize();
    try {
      await old.runMigrations();
      const table = (name: string) => old.driver.escape(name);
      await old.query(
        `INSERT INTO ${table('keysmith_token')} (id, name, description, scopes, ${table('key')}, prefix, created_at) ` +
          `VALUES ('${TOKEN_ID}', 'kept', '', '["read"]', 'sha256$stored', 'tok_claimed0', '${sqlTime(new Date())}')`,
      );
      for (const [action, ageDays] of [
        ['created', 200],
        ['revoked', 0],
      ] as const) {
        await old.query(
          `INSERT INTO ${table('keysmith_token_audit_log')} (id, token_id, action, extra, created_at) ` +
            `VALUES ('${randomUUID()}', '${TOKEN_ID}', '${action}', '{}', '${sqlTime(new Date(Date.now() - ageDays * DAY_MS))}')`,
        );
      }
    } finally {
      await old.destroy();
    }
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((source) => source.destroy()));
  });

  it('adds the claim table, keeps every token and audit row, and leaves TypeORM nothing to change', async () => {
    const source = await current();
    const executed = await source.runMigrations();
    expect(executed.map((migration) => migration.name)).toContain('KeysmithClaims1797379200000');
    expect(await hasClaimTable(source)).toBe(true);
    expect(await source.getRepository(Token).findOneByOrFail({ id: TOKEN_ID })).toMatchObject({
      prefix: 'tok_claimed0',
      key: 'sha256$stored',
    });
    expect(await source.getRepository(TokenAuditLog).count()).toBe(2);
    const log = await source.driver.createSchemaBuilder().log();
    expect(log.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('holds a claim for one instance at a time, and the prune finds the old rows through it', async () => {
    const source = await current();
    const [first, second] = [new JobClaims(source.getRepository(KeysmithClaim)), new JobClaims(source.getRepository(KeysmithClaim))];
    expect(await Promise.all([first.claim('migration-test', 60_000), second.claim('migration-test', 60_000)])).toEqual(
      expect.arrayContaining([true, false]),
    );
    const keysmith = await createStandaloneKeysmith(source);
    expect(await keysmith.auditLog.prune(new Date(Date.now() - 90 * DAY_MS))).toBe(1);
    expect((await keysmith.auditLog.list()).map((row) => row.action)).toEqual(['revoked']);
    await keysmith.close();
  });

  it('down drops the claim table and keeps every token', async () => {
    const source = await current();
    // Reverts the migrations after this one too, then this one.
    const after = KEYSMITH_MIGRATIONS.length - KEYSMITH_MIGRATIONS.indexOf(KeysmithClaims1797379200000);
    for (let left = after; left > 0; left--) await source.undoLastMigration();
    expect(await hasClaimTable(source)).toBe(false);
    expect(await source.getRepository(Token).count()).toBe(1);
    expect(await source.showMigrations()).toBe(true);
  });
});
