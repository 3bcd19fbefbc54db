import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuditLog, type Token } from '../../lib/index.js';
import { createCliApp, dataSourceModule, lines, type CliApp } from './cli-app.js';
import { cliDatabases, openCliDatabase, type CliDatabase } from './cli-database.js';

const MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe.each(cliDatabases())('keysmith audit list on %s', (database) => {
  let db: CliDatabase;
  let app: CliApp;
  let token: Token;
  const keysmith = (...args: string[]) => app.run([...args, '-d', 'data-source.js']);

  /**
   * One token's life: created here, refused once over HTTP (the row the guard writes), then
   * rotated and revoked through the command line.
   */
  beforeAll(async () => {
    db = await openCliDatabase(database, 'cli_audit');
    app = await createCliApp({ files: { 'data-source.js': dataSourceModule(db.connection, { bcryptRounds: 4 }) } });
    ({ token } = await db.keysmith.tokens.create({ name: 'audited' }));
    await db.dataSource.getRepository(TokenAuditLog).insert(
      Object.assign(new TokenAuditLog(), {
        id: randomUUID(),
        tokenId: token.id,
        action: 'auth_failed',
        path: '/api/health',
        method: 'GET',
        statusCode: 401,
        ipAddress: '203.0.113.7',
        userAgent: 'curl/8.5.0',
        extra: { error_code: 'revoked_token' },
        createdAt: new Date(Date.now() + 5),
      }),
    );
    for (const action of ['rotate', 'revoke']) {
      const run = await keysmith('tokens', action, token.prefix);
      expect(run.code, run.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await app?.remove();
    await db?.close();
  });

  it('shows the rows of a token as a table, newest first', async () => {
    const run = await keysmith('audit', 'list', '--token', token.prefix);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('4 audit rows match.\n');
    const [header, ...rows] = lines(run.stdout).map((line) => line.split(/\s{2,}/));
    expect(header).toEqual(['TIME', 'ACTION', 'TOKEN', 'STATUS', 'REQUEST', 'IP', 'EXTRA']);
    expect(rows).toEqual([
      [expect.stringMatching(MOMENT), 'revoked', token.prefix, '-', '-', '-', '{"source":"cli"}'],
      [expect.stringMatching(MOMENT), 'rotated', token.prefix, '-', '-', '-', '{"source":"cli"}'],
      [
        expect.stringMatching(MOMENT),
        'auth_failed',
        token.prefix,
        '401',
        'GET /api/health',
        '203.0.113.7',
        '{"error_code":"revoked_token"}',
      ],
      [expect.stringMatching(MOMENT), 'created', token.prefix, '-', '-', '-', '-'],
    ]);
  });

  it('--json prints the rows with the token prefix; --action filters them', async () => {
    const run = await keysmith('audit', 'list', '--token', token.id, '--action', 'rotated', '--json');
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as Record<string, unknown>[];
    const anId: unknown = expect.any(String);
    const anIsoInstant: unknown = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(rows).toEqual([
      {
        id: anId,
        tokenId: token.id,
        tokenPrefix: token.prefix,
        action: 'rotated',
        path: null,
        method: null,
        statusCode: null,
        ipAddress: null,
        userAgent: null,
        extra: { source: 'cli' },
        createdAt: anIsoInstant,
      },
    ]);
  });

  it('--since takes a duration back or an ISO date; --limit caps the rows', async () => {
    const actions = async (...filter: string[]) => {
      const run = await keysmith('audit', 'list', '--token', token.prefix, '--json', ...filter);
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { action: string }[]).map((row) => row.action);
    };
    expect(await actions('--since', '1h', '--limit', '2')).toEqual(['revoked', 'rotated']);
    expect(await actions('--since', new Date(Date.now() - 86_400_000).toISOString().slice(0, 10))).toHaveLength(4);

    const future = await keysmith('audit', 'list', '--since', `${new Date().getUTCFullYear() + 1}-01-01T00:00:00Z`);
    expect(future).toEqual({ code: 0, stdout: '', stderr: 'No audit rows match.\n' });
  });

  it('an unknown --token fails with one line and exit 1', async () => {
    const run = await keysmith('audit', 'list', '--token', 'tok_NoSuch99');
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'keysmith: No token has the id or prefix "tok_NoSuch99".\n' });
  });
});
