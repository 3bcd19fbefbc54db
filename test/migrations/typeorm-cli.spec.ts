import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliApp, dataSourceModule, type CliApp } from '../cli/cli-app.js';
import { cliDatabases, openCliDatabase, type CliDatabase } from '../cli/cli-database.js';
import { KEYSMITH_MIGRATIONS } from '../../lib/typeorm.js';

const TYPEORM_CLI = resolve('node_modules/typeorm/cli.js');
const MIGRATIONS = KEYSMITH_MIGRATIONS.map((Migration) => new Migration().name);

describe.each(cliDatabases())("KEYSMITH_MIGRATIONS through TypeORM's own CLI on %s", (database) => {
  let db: CliDatabase;
  let app: CliApp;
  const typeorm = (...args: string[]) => app.runScript(TYPEORM_CLI, [...args, '-d', 'data-source.js']);

  beforeAll(async () => {
    db = await openCliDatabase(database, 'migrations_typeorm_cli');
    for (let left = MIGRATIONS.length; left > 0; left--) await db.dataSource.undoLastMigration();
    app = await createCliApp({ files: { 'data-source.js': dataSourceModule(db.connection, {}) } });
  });
  afterAll(async () => {
    await app?.remove();
    await db?.close();
  });

  it('migration:run creates the tables, migration:generate --check finds nothing, migration:revert undoes every migration', async () => {
    expect(await db.dataSource.showMigrations()).toBe(true);

    const run = await typeorm('migration:run');
    expect(run.code, run.stderr).toBe(0);
    for (const name of MIGRATIONS) expect(run.stdout).toContain(`Migration ${name} has been executed successfully.`);

    const generate = await typeorm('migration:generate', resolve(app.dir, 'migrations/Pending'), '--check', '--dryrun');
    expect(generate.code, generate.stdout).toBe(0);
    expect(generate.stdout).toContain('No changes in database schema were found');

    for (const name of [...MIGRATIONS].reverse()) {
      const revert = await typeorm('migration:revert');
      expect(revert.code, revert.stderr).toBe(0);
      expect(revert.stdout).toContain(`Migration ${name} has been reverted successfully.`);
    }
    const queryRunner = db.dataSource.createQueryRunner();
    try {
      expect(await queryRunner.hasTable('keysmith_token')).toBe(false);
      expect(await queryRunner.hasTable('keysmith_token_audit_log')).toBe(false);
    } finally {
      await queryRunner.release();
    }
  });
});
