import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../lib/index.js';
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
    const group = await app.run(['tokens', '--help']);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/^ {2}tokens rotate <prefix\|id>\s+Replace the secret/m);
    expect(group.stdout).not.toMatch(/^ {2}audit list/m);
  });

  it.each([
    [[], 'no command given; run keysmith --help.'],
    [['tokens'], 'no command given; run keysmith --help.'],
    [['tokens', 'list'], "required option '-d, --dataSource <file>' not specified"],
    [['tokens', 'frob', '-d', 'data-source.js'], "unknown command 'frob'"],
    [['tokens', 'list', '-d', 'data-source.js', '--bogus'], "unknown option '--bogus'"],
    [['tokens', 'list', '-d', 'data-source.js', '--jsn'], "unknown option '--jsn' (Did you mean --json?)"],
    [['tokens', 'rotate', 'tok_abcdefgh', '-d', 'data-source.js', '--json'], "unknown option '--json'"],
    [
      ['-d', 'data-source.js', 'tokens', 'list'],
      "unknown option '-d'; options follow the command words: keysmith <command> -d <data-source file> [options]",
    ],
    [['tokens', 'rotate', '-d', 'data-source.js'], "missing required argument 'prefix|id'"],
    [['tokens', 'revoke', 'tok_a', 'tok_b', '-d', 'data-source.js'], "too many arguments for 'revoke'. Expected 1 argument but got 2."],
    [['tokens', 'create', '-d', 'data-source.js', '--name'], "option '--name <name>' argument missing"],
    [['tokens', 'create', '-d', 'data-source.js'], "required option '--name <name>' not specified"],
    [
      ['tokens', 'create', '-d', 'data-source.js', '--name', 'x', '--expires-in', 'soon'],
      `option '--expires-in <duration>' argument 'soon' is invalid. Expected a duration such as 30d, 12h, 45m or 2w, or "never".`,
    ],
    [
      ['tokens', 'create', '-d', 'data-source.js', '--name', 'x', '--type', 'robot'],
      "option '--type <user|system>' argument 'robot' is invalid. Allowed choices are user, system.",
    ],
    [['tokens', 'create', '-d', 'data-source.js', '--name', 'x', '--scopes', 'write'], 'Unknown scope "write"; available scopes: read.'],
    [
      ['tokens', 'list', '-d', 'data-source.js', '--limit', '0'],
      "option '--limit <n>' argument '0' is invalid. Expected a whole number of at least 1.",
    ],
    [['tokens', 'list', '-d', 'data-source.js', '--active', '--inactive'], "option '--active' cannot be used with option '--inactive'"],
    [
      ['audit', 'list', '-d', 'data-source.js', '--since', 'yesterday'],
      "option '--since <when>' argument 'yesterday' is invalid. Expected an ISO date (2026-01-31, 2026-01-31T12:00:00Z) or a duration such as 1h or 7d.",
    ],
    [
      ['audit', 'list', '-d', 'data-source.js', '--since', '2026-02-30'],
      "option '--since <when>' argument '2026-02-30' is invalid. Expected an ISO date (2026-01-31, 2026-01-31T12:00:00Z) or a duration such as 1h or 7d.",
    ],
    [
      ['audit', 'list', '-d', 'data-source.js', '--action', 'deleted'],
      `option '--action <action>' argument 'deleted' is invalid. Allowed choices are ${AUDIT_ACTIONS.join(', ')}.`,
    ],
  ])('keysmith %j fails with one line on stderr and exit 1', async (args, message) => {
    const run = await app.run(args);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `keysmith: ${message}\n` });
  });

  it('names a data source file that does not exist', async () => {
    const run = await app.run(['tokens', 'list', '-d', 'src/missing.js']);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `keysmith: data source file not found: ${join(app.dir, 'src/missing.js')}\n` });
  });

  it("takes a command's options, -d included, in any order after its words", async () => {
    const run = await app.run(['tokens', 'list', '--json', '-d', 'data-source.js', '--limit', '5']);
    expect(run).toEqual({ code: 0, stdout: '[]\n', stderr: 'No tokens match.\n' });
  });
});
