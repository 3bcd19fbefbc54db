import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliApp, type CliApp } from './cli-app.js';
import { cliDatabases, openCliDatabase, type CliDatabase } from './cli-database.js';

/** A script of an ES module application: it imports the package's ES module build and opens the data source file it names. */
const SCRIPT = `
import { createStandaloneKeysmith } from 'nestjs-keysmith';
const { default: dataSource } = await import(process.argv[2]);
await dataSource.initialize();
try {
  const keysmith = await createStandaloneKeysmith(dataSource, { bcryptRounds: 4 });
  const { token, rawToken } = await keysmith.tokens.create({ name: 'from-an-es-module' });
  const authenticated = await keysmith.tokens.authenticate(rawToken);
  const listed = await keysmith.tokens.list({ search: 'from-an-es-module' });
  const revoked = await keysmith.tokens.revokeMany({ userId: 'nobody' });
  await keysmith.tokens.revoke(token.id);
  await keysmith.close();
  const actions = (await keysmith.auditLog.list({ tokenId: token.id })).map((row) => row.action);
  console.log(JSON.stringify({ authenticated: authenticated.id === token.id, listed: listed.length, revoked, actions }));
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
} finally {
  await dataSource.destroy();
}
`;

describe.each(cliDatabases())('createStandaloneKeysmith imported as an ES module, on %s', (database) => {
  let db: CliDatabase;
  let app: CliApp;

  beforeAll(async () => {
    db = await openCliDatabase(database, 'standalone_formats');
    const connection = JSON.stringify(db.connection);
    app = await createCliApp({
      type: 'commonjs',
      files: {
        'script.mjs': SCRIPT,
        // A CommonJS data source file, as TypeORM's CLI loads it: its entities come from the package's CommonJS build.
        'data-source.js': [
          "const { DataSource } = require('typeorm');",
          "const { KEYSMITH_ENTITIES } = require('nestjs-keysmith/typeorm');",
          `module.exports = new DataSource({ ...${connection}, entities: KEYSMITH_ENTITIES });`,
        ].join('\n'),
        'no-entities.js': [
          "const { DataSource } = require('typeorm');",
          `module.exports = new DataSource({ ...${connection}, entities: [] });`,
        ].join('\n'),
      },
    });
  });
  afterAll(async () => {
    await app?.remove();
    await db?.close();
  });

  it('works on a CommonJS data source file, whose entities are the CommonJS build’s', async () => {
    const run = await app.runScript('script.mjs', ['./data-source.js']);
    expect(run.stderr).not.toContain('No metadata');
    expect(run.code, run.stderr).toBe(0);
    // The last line: the process's log (the notice that without redis other instances may accept the token) comes before.
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual({
      authenticated: true,
      listed: 1,
      revoked: 0,
      actions: ['revoked', 'created'],
    });
    expect(run.stdout).toContain(
      'Without the redis option, a change of a token (rotated, revoked, purged, disabled, updated) reaches no other process',
    );
  });

  it('says what to add to a data source that lists no keysmith entity', async () => {
    const run = await app.runScript('script.mjs', ['./no-entities.js']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'Invalid KeysmithModule option "dataSource": it does not list the Token entity of nestjs-keysmith; add KEYSMITH_ENTITIES (from nestjs-keysmith or nestjs-keysmith/typeorm) to its entities.',
    );
  });
});
