import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliApp, dataSourceModule, lines, type CliApp } from './cli-app.js';
import { openCliDatabase, type CliDatabase } from './cli-database.js';

describe('keysmith command line', () => {
  let db: CliDatabase;
  let app: CliApp;

  beforeAll(async () => {
    db = await openCliDatabase('sqlite-file', 'cli_command_line');
    app = await createCliApp({ files: { 'data-source.js': dataSourceModule(db.connection, { availableScopes: ['read'] }) } });
  });
  afterAll(async () => {
    await app?.remove();
    await db?.close();
  });

  it('--help lists every command and the options, on stdout', async () => {
    const run = await app.run(['--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    for (const command of ['tokens create', 'tokens list', 'tokens rotate', 'tokens revoke', 'tokens purge', 'audit list']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command}\\s+\\S`, 'm'));
    }
    expect(run.stdout).toContain('-d, --dataSource <file>');
    expect(run.stdout).toContain('KEYSMITH_TOKEN_PREFIX');
  });

  it('<command> --help shows its usage and options', async () => {
    const run = await app.run(['tokens', 'create', '--help']);
    expect(run.code).toBe(0);
    expect(lines(run.stdout)[0]).toBe('Usage: keysmith tokens create -d <data-source file> [options]');
    for (const option of ['--name <name>', '--user <id>', '--scopes <a,b>', '--expires-in <duration>', '-d, --dataSource <file>']) {
      expect(run.stdout).toContain(option);
    }
    const rotate = await app.run(['tokens', 'rotate', '-h']);
    expect(lines(rotate.stdout)[0]).toBe('Usage: keysmith tokens rotate <prefix|id> -d <data-source file> [options]');
  });

  it.each([
    [[], 'no command given; run keysmith --help.'],
    [['tokens', 'list'], "missing -d/--dataSource <file>, the file that exports the application's TypeORM DataSource."],
    [
      ['tokens', 'frob', '-d', 'data-source.js'],
      'unknown command "tokens frob"; the commands are tokens create, tokens list, tokens rotate, tokens revoke, tokens purge, audit list.',
    ],
    [['tokens', 'list', '-d', 'data-source.js', '--bogus'], 'unknown option --bogus; run keysmith --help.'],
    [
      ['tokens', 'rotate', 'tok_abcdefgh', '-d', 'data-source.js', '--json'],
      'tokens rotate takes no option --json; run keysmith tokens rotate --help.',
    ],
    [['tokens', 'rotate', '-d', 'data-source.js'], 'tokens rotate needs <prefix|id>.'],
    [['tokens', 'revoke', 'tok_a', 'tok_b', '-d', 'data-source.js'], 'unexpected argument "tok_b" for tokens revoke.'],
    [['tokens', 'create', '-d', 'data-source.js', '--name'], "Option '--name <value>' argument missing"],
    [['tokens', 'create', '-d', 'data-source.js'], 'tokens create needs --name <name>.'],
    [
      ['tokens', 'create', '-d', 'data-source.js', '--name', 'x', '--expires-in', 'soon'],
      '--expires-in expects a duration such as 30d, 12h, 45m or 2w, or "never"; got "soon".',
    ],
    [['tokens', 'create', '-d', 'data-source.js', '--name', 'x', '--type', 'robot'], '--type expects one of user, system; got "robot".'],
    [['tokens', 'create', '-d', 'data-source.js', '--name', 'x', '--scopes', 'write'], 'Unknown scope "write"; available scopes: read.'],
    [['tokens', 'list', '-d', 'data-source.js', '--limit', '0'], '--limit expects a whole number of at least 1; got "0".'],
    [['tokens', 'list', '-d', 'data-source.js', '--active', '--inactive'], '--active and --inactive exclude each other; give one.'],
    [
      ['audit', 'list', '-d', 'data-source.js', '--since', 'yesterday'],
      '--since expects an ISO date (2026-01-31, 2026-01-31T12:00:00Z) or a duration such as 1h or 7d; got "yesterday".',
    ],
    [
      ['audit', 'list', '-d', 'data-source.js', '--since', '2026-02-30'],
      '--since expects an ISO date (2026-01-31, 2026-01-31T12:00:00Z) or a duration such as 1h or 7d; got "2026-02-30".',
    ],
    [
      ['audit', 'list', '-d', 'data-source.js', '--action', 'deleted'],
      '--action expects one of created, rotated, revoked, auth_success, auth_failed; got "deleted".',
    ],
  ])('keysmith %j fails with one line on stderr and exit 1', async (args, message) => {
    const run = await app.run(args);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `keysmith: ${message}\n` });
  });

  it('names a data source file that does not exist', async () => {
    const run = await app.run(['tokens', 'list', '-d', 'src/missing.js']);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `keysmith: data source file not found: ${join(app.dir, 'src/missing.js')}\n` });
  });

  it('takes options before the command words too', async () => {
    const run = await app.run(['-d', 'data-source.js', '--json', 'tokens', 'list']);
    expect(run).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });
});
