import type { DataSource, DataSourceOptions } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYSMITH_MIGRATIONS, KeysmithRateLimits1797465600000, Token, buildToken, createStandaloneKeysmith } from '../../lib/index.js';
import { cliDatabases } from '../cli/cli-database.js';
import { databaseOptions } from '../support/databases.js';
import { CurrentDataSources, createOldDatabase } from './fixtures/old-database.js';

/** Tokens as 0.1.0 stored them, with the raw token each was issued as. */
const TOKENS = [
  { id: '00000000-0000-4000-8000-000000000021', prefix: 'tok_ratelim1', secret: 'D'.repeat(32) },
  { id: '00000000-0000-4000-8000-000000000022', prefix: 'tok_ratelim2', secret: 'E'.repeat(32) },
];

const ADDED_COLUMNS = ['rate_limit', 'quota_remaining', 'quota_refill', 'quota_refilled_at'];

describe.each(cliDatabases())(
  'KeysmithRateLimits1797465600000 and KeysmithQuotas1797552000000 on a 0.1.0 %s database holding tokens',
  (database) => {
    let connection: DataSourceOptions;
    const sources = new CurrentDataSources(() => connection);
    const current = () => sources.next();

    async function limitColumns(source: DataSource): Promise<string[]> {
      const queryRunner = source.createQueryRunner();
      try {
        return (await queryRunner.getTable('keysmith_token'))!.columns
          .map((column) => column.name)
          .filter((name) => ADDED_COLUMNS.includes(name));
      } finally {
        await queryRunner.release();
      }
    }

    beforeAll(async () => {
      connection = { ...(await databaseOptions(database, 'migrations_limits')), synchronize: false, dropSchema: false };
      await createOldDatabase(connection, TOKENS);
    });
    afterAll(() => sources.close());

    it('adds the rate limit and quota columns, none on the tokens already there, and leaves TypeORM nothing to change', async () => {
      const source = await current();
      const executed = await source.runMigrations();
      expect(executed.map((migration) => migration.name)).toEqual(
        expect.arrayContaining(['KeysmithRateLimits1797465600000', 'KeysmithQuotas1797552000000']),
      );
      expect((await limitColumns(source)).sort()).toEqual([...ADDED_COLUMNS].sort());
      const tokens = await source.getRepository(Token).find({ order: { prefix: 'ASC' } });
      expect(
        tokens.map(({ prefix, rateLimit, quotaRemaining, quotaRefill, quotaRefilledAt, state }) => ({
          prefix,
          rateLimit,
          quotaRemaining,
          quotaRefill,
          quotaRefilledAt,
          state,
        })),
      ).toEqual(
        TOKENS.map(({ prefix }) => ({
          prefix,
          rateLimit: null,
          quotaRemaining: null,
          quotaRefill: null,
          quotaRefilledAt: null,
          state: 'active',
        })),
      );
      const log = await source.driver.createSchemaBuilder().log();
      expect(log.upQueries.map((query) => query.query)).toEqual([]);
    });

    it('keeps the tokens working, and stores a rate limit and a quota given to one of them', async () => {
      const source = await current();
      const keysmith = await createStandaloneKeysmith(source, { hasher: 'sha256' });
      try {
        const [first, second] = TOKENS.map((token) => buildToken(token.prefix, token.secret));
        expect((await keysmith.tokens.authenticate(first)).id).toBe(TOKENS[0].id);
        await keysmith.tokens.update(TOKENS[1].prefix, { rateLimit: { limit: 100, windowSeconds: 60 } });
        expect((await source.getRepository(Token).findOneByOrFail({ id: TOKENS[1].id })).rateLimit).toEqual({
          limit: 100,
          windowSeconds: 60,
        });
        expect((await keysmith.tokens.authenticate(second)).rateLimit).toEqual({ limit: 100, windowSeconds: 60 });
        const quota = { remaining: 500, refill: { amount: 500, intervalSeconds: 86_400 } };
        await keysmith.tokens.update(TOKENS[0].prefix, { quota });
        expect(await source.getRepository(Token).findOneByOrFail({ id: TOKENS[0].id })).toMatchObject({
          quotaRemaining: 500,
          quotaRefill: quota.refill,
        });
        expect(await keysmith.tokens.quotaOf(TOKENS[0].prefix)).toEqual(quota);
      } finally {
        await keysmith.close();
      }
    });

    it('down drops the columns and keeps every token', async () => {
      const source = await current();
      // Reverts the migrations after this one too, then this one.
      const after = KEYSMITH_MIGRATIONS.length - KEYSMITH_MIGRATIONS.indexOf(KeysmithRateLimits1797465600000);
      for (let left = after; left > 0; left--) await source.undoLastMigration();
      expect(await limitColumns(source)).toEqual([]);
      expect(await source.getRepository(Token).count()).toBe(TOKENS.length);
      expect(await source.showMigrations()).toBe(true);
    });
  },
);
