import { DataSource } from 'typeorm';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { KEYSMITH_ENTITIES, KeysmithSchemaError, createStandaloneKeysmith } from '../../lib/index.js';
import { databaseOptions, type DatabaseName } from '../support/databases.js';
import { startOn } from '../support/start-on.js';
import { startTestApp } from '../support/test-app.js';

describe.each(inject('databases'))('The startup check of the tables on %s', (database: DatabaseName) => {
  const suite = 'schema_check';
  const open: DataSource[] = [];

  afterEach(async () => {
    await Promise.all(
      open
        .splice(0)
        .filter((source) => source.isInitialized)
        .map((source) => source.destroy()),
    );
  });

  /** The keysmith tables, synchronized, then changed behind TypeORM's back. */
  async function tablesWithout(statement: string): Promise<DataSource> {
    const source = new DataSource({ ...(await databaseOptions(database, suite)), entities: KEYSMITH_ENTITIES });
    open.push(source);
    await source.initialize();
    await source.query(statement);
    return source;
  }

  it('stops the application when the token table lacks a column, naming the table and the column', async () => {
    const source = await tablesWithout('ALTER TABLE keysmith_token DROP COLUMN allowed_ips');
    const error = await startOn(source).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeysmithSchemaError);
    expect(error).toMatchObject({ table: 'keysmith_token', column: 'allowed_ips' });
    expect((error as Error).message).toBe(
      'The table keysmith_token has no column allowed_ips, which nestjs-keysmith needs: run its migrations (KEYSMITH_MIGRATIONS).',
    );
  });

  it('stops the application when the audit table lacks a column', async () => {
    const source = await tablesWithout('ALTER TABLE keysmith_token_audit_log DROP COLUMN user_agent');
    await expect(startOn(source)).rejects.toMatchObject({ table: 'keysmith_token_audit_log', column: 'user_agent' });
  });

  it('stops the application when a table is missing', async () => {
    const source = await tablesWithout('DROP TABLE keysmith_token_audit_log');
    await expect(startOn(source)).rejects.toThrow(
      'The database has no table keysmith_token_audit_log, which nestjs-keysmith needs: run its migrations (KEYSMITH_MIGRATIONS).',
    );
  });

  it('checks the notice table only where a feature needs it', async () => {
    const source = await tablesWithout('ALTER TABLE keysmith_token_notice DROP COLUMN created_at');
    await expect(startOn(source, { expiryWarnings: {} })).rejects.toMatchObject({ table: 'keysmith_token_notice', column: 'created_at' });
    // Closing the application ends the data source, which would synchronize again on the next start.
    const close = await startOn(source);
    await close();
  });

  it('stops a standalone keysmith on the same mismatch', async () => {
    const source = await tablesWithout('ALTER TABLE keysmith_token DROP COLUMN previous_key');
    await expect(createStandaloneKeysmith(source)).rejects.toMatchObject({ table: 'keysmith_token', column: 'previous_key' });
  });

  it('starts once synchronize has put the column back', async () => {
    const source = await tablesWithout('ALTER TABLE keysmith_token DROP COLUMN allowed_ips');
    await source.synchronize();
    const close = await startOn(source);
    await close();
  });
});

describe.each(inject('databases').filter((database) => database !== 'sqlite-memory'))(
  'The startup check after synchronize on %s',
  (database) => {
    it('checks the tables once TypeORM has synchronized them', async () => {
      const suite = 'schema_check_synchronize';
      const source = new DataSource({ ...(await databaseOptions(database, suite)), entities: KEYSMITH_ENTITIES });
      await source.initialize();
      await source.query('ALTER TABLE keysmith_token DROP COLUMN allowed_ips');
      await source.destroy();
      const app = await startTestApp({ suite, variant: { database, adapter: 'express', registration: 'forRoot' }, keepSchema: true });
      try {
        const { rawToken } = await app.tokens.create({ name: 'after synchronize', allowedIps: ['127.0.0.1'] });
        expect((await app.tokens.authenticate(rawToken, { ip: '127.0.0.1' })).name).toBe('after synchronize');
      } finally {
        await app.close();
      }
    });
  },
);
