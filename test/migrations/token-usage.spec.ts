import type { DataSource, DataSourceOptions } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYSMITH_MIGRATIONS, KeysmithTokenUsage1797638400000, Token, TokenUsage, createStandaloneKeysmith } from '../../lib/index.js';
import { upsertUsage } from '../../lib/usage/upsert-usage.js';
import { cliDatabases } from '../cli/cli-database.js';
import { databaseOptions } from '../support/databases.js';
import { CurrentDataSources, createOldDatabase } from './fixtures/old-database.js';

/** Tokens as 0.1.0 stored them, with the raw token each was issued as. */
const TOKENS = [
  { id: '00000000-0000-4000-8000-000000000031', prefix: 'tok_usage001', secret: 'F'.repeat(32) },
  { id: '00000000-0000-4000-8000-000000000032', prefix: 'tok_usage002', secret: 'G'.repeat(32) },
];

const MINUTE = new Date('2026-03-01T12:34:00.000Z');

describe.each(cliDatabases())('KeysmithTokenUsage1797638400000 on a 0.1.0 %s database holding tokens', (database) => {
  let connection: DataSourceOptions;
  const sources = new CurrentDataSources(() => connection);
  const current = () => sources.next();

  async function hasUsageTable(source: DataSource): Promise<boolean> {
    const queryRunner = source.createQueryRunner();
    try {
      return await queryRunner.hasTable('keysmith_token_usage');
    } finally {
      await queryRunner.release();
    }
  }

  beforeAll(async () => {
    connection = { ...(await databaseOptions(database, 'migrations_usage')), synchronize: false, dropSchema: false };
    await createOldDatabase(connection, TOKENS);
  });
  afterAll(() => sources.close());

  it('creates the usage table, keeps every token, and leaves TypeORM nothing to change', async () => {
    const source = await current();
    const executed = await source.runMigrations();
    expect(executed.map((migration) => migration.name)).toContain('KeysmithTokenUsage1797638400000');
    expect(await hasUsageTable(source)).toBe(true);
    expect((await source.getRepository(Token).find({ order: { prefix: 'ASC' } })).map((token) => token.prefix)).toEqual(
      TOKENS.map((token) => token.prefix),
    );
    const log = await source.driver.createSchemaBuilder().log();
    expect(log.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('adds counts written twice for one token, minute and outcome, and reads them back as the same instant', async () => {
    const source = await current();
    const keysmith = await createStandaloneKeysmith(source, { hasher: 'sha256' });
    try {
      const repository = source.getRepository(TokenUsage);
      const row = (outcome: string, count: number) =>
        Object.assign(new TokenUsage(), { tokenId: TOKENS[0].id, minuteAt: MINUTE, outcome, count });
      await upsertUsage(repository, [row('success', 3), row('revoked_token', 1)]);
      await upsertUsage(repository, [row('success', 4)]);
      const usage = await keysmith.tokens.usage(TOKENS[0].prefix, {
        since: new Date('2026-03-01T00:00:00Z'),
        until: new Date('2026-03-02T00:00:00Z'),
        bucket: 'hour',
      });
      expect(usage).toMatchObject({ successes: 7, refusals: 1, outcomes: { success: 7, revoked_token: 1 } });
      expect(usage.buckets.map((bucket) => bucket.start.toISOString())).toEqual(['2026-03-01T12:00:00.000Z']);
      expect((await repository.findBy({ tokenId: TOKENS[0].id })).map((stored) => stored.minuteAt.toISOString())).toEqual([
        MINUTE.toISOString(),
        MINUTE.toISOString(),
      ]);
    } finally {
      await keysmith.close();
    }
  });

  it('down drops the table and keeps every token', async () => {
    const source = await current();
    const after = KEYSMITH_MIGRATIONS.length - KEYSMITH_MIGRATIONS.indexOf(KeysmithTokenUsage1797638400000);
    for (let left = after; left > 0; left--) await source.undoLastMigration();
    expect(await hasUsageTable(source)).toBe(false);
    expect(await source.getRepository(Token).count()).toBe(TOKENS.length);
  });
});
