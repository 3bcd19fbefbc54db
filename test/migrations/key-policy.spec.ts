import type { DataSource, DataSourceOptions } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KEYSMITH_MIGRATIONS,
  KeysmithKeyPolicy1797292800000,
  RotatedSecretError,
  Token,
  buildToken,
  createStandaloneKeysmith,
} from '../../lib/index.js';
import { cliDatabases } from '../cli/cli-database.js';
import { databaseOptions } from '../support/databases.js';
import { CurrentDataSources, createOldDatabase } from './fixtures/old-database.js';

/** Tokens as 0.1.0 stored them, with the raw token each was issued as. */
const TOKENS = [
  { id: '00000000-0000-4000-8000-000000000011', prefix: 'tok_policy01', secret: 'A'.repeat(32), revoked: false },
  { id: '00000000-0000-4000-8000-000000000012', prefix: 'tok_policy02', secret: 'B'.repeat(32), revoked: false },
  { id: '00000000-0000-4000-8000-000000000013', prefix: 'tok_policy03', secret: 'C'.repeat(32), revoked: true },
];
const ADDED_COLUMNS = ['disabled', 'metadata', 'allowed_ips', 'previous_key', 'previous_secret_expires_at'];

describe.each(cliDatabases())('KeysmithKeyPolicy1797292800000 on a 0.1.0 %s database holding tokens', (database) => {
  let connection: DataSourceOptions;
  const sources = new CurrentDataSources(() => connection);
  const current = () => sources.next();

  async function tokenColumns(source: DataSource): Promise<string[]> {
    const queryRunner = source.createQueryRunner();
    try {
      return (await queryRunner.getTable('keysmith_token'))!.columns.map((column) => column.name);
    } finally {
      await queryRunner.release();
    }
  }

  beforeAll(async () => {
    connection = { ...(await databaseOptions(database, 'migrations_key_policy')), synchronize: false, dropSchema: false };
    await createOldDatabase(connection, TOKENS);
  });
  afterAll(() => sources.close());

  it('adds the columns with nothing set on the tokens already there, and leaves TypeORM nothing to change', async () => {
    const source = await current();
    const executed = await source.runMigrations();
    expect(executed.map((migration) => migration.name)).toContain('KeysmithKeyPolicy1797292800000');
    expect(await tokenColumns(source)).toEqual(expect.arrayContaining(ADDED_COLUMNS));

    const tokens = await source.getRepository(Token).find({ order: { prefix: 'ASC' } });
    expect(
      tokens.map(({ prefix, disabled, metadata, allowedIps, previousKey, previousSecretExpiresAt, state }) => ({
        prefix,
        disabled,
        metadata,
        allowedIps,
        previousKey,
        previousSecretExpiresAt,
        state,
      })),
    ).toEqual(
      TOKENS.map(({ prefix, revoked }) => ({
        prefix,
        disabled: false,
        metadata: null,
        allowedIps: null,
        previousKey: null,
        previousSecretExpiresAt: null,
        state: revoked ? 'revoked' : 'active',
      })),
    );
    const log = await source.driver.createSchemaBuilder().log();
    expect(log.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('keeps the tokens working, and gives them every key policy: disable, grace rotation, update', async () => {
    const source = await current();
    const keysmith = await createStandaloneKeysmith(source, { hasher: 'sha256', availableScopes: ['notes:read', 'notes:*'] });
    const { tokens } = keysmith;
    try {
      const [first, second] = TOKENS.map((token) => buildToken(token.prefix, token.secret));
      expect((await tokens.authenticate(first)).id).toBe(TOKENS[0].id);

      await tokens.disable(TOKENS[0].prefix);
      await expect(tokens.authenticate(first)).rejects.toMatchObject({ code: 'disabled_token' });
      await tokens.enable(TOKENS[0].prefix);
      expect((await tokens.authenticate(first)).id).toBe(TOKENS[0].id);

      const rotated = await tokens.rotate(TOKENS[1].prefix, { graceSeconds: 1 });
      expect((await tokens.authenticate(second)).id).toBe(TOKENS[1].id);
      expect((await tokens.authenticate(rotated)).id).toBe(TOKENS[1].id);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await expect(tokens.authenticate(second)).rejects.toBeInstanceOf(RotatedSecretError);

      const updated = await tokens.update(TOKENS[1].prefix, {
        metadata: { team: 'billing' },
        allowedIps: ['10.0.0.0/8'],
        scopes: ['notes:*'],
      });
      const stored = await source.getRepository(Token).findOneByOrFail({ id: TOKENS[1].id });
      expect(stored).toMatchObject({ metadata: { team: 'billing' }, allowedIps: ['10.0.0.0/8'], scopes: ['notes:*'] });
      expect(updated.hasScope('notes:write')).toBe(true);
      expect((await tokens.authenticate(rotated, { ip: '10.1.2.3' })).id).toBe(TOKENS[1].id);
    } finally {
      await keysmith.close();
    }
  });

  it('down drops the five columns and keeps every token', async () => {
    const source = await current();
    // Reverts the migrations after this one too, then this one.
    const after = KEYSMITH_MIGRATIONS.length - KEYSMITH_MIGRATIONS.indexOf(KeysmithKeyPolicy1797292800000);
    for (let left = after; left > 0; left--) await source.undoLastMigration();
    const columns = await tokenColumns(source);
    expect(columns.filter((column) => ADDED_COLUMNS.includes(column))).toEqual([]);
    const rows: unknown[] = await source.query(`SELECT id FROM ${source.driver.escape('keysmith_token')}`);
    expect(rows).toHaveLength(TOKENS.length);
    expect(await source.showMigrations()).toBe(true);
  });
});
