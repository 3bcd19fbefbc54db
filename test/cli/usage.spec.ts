import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Token, TokenUsage } from '../../lib/index.js';
import { upsertUsage } from '../../lib/usage/upsert-usage.js';
import { createCliApp, dataSourceModule, type CliApp } from './cli-app.js';
import { cliDatabases, openCliDatabase, type CliDatabase } from './cli-database.js';

describe.each(cliDatabases())('keysmith tokens usage on %s', (database) => {
  let db: CliDatabase;
  let app: CliApp;
  let prefix: string;
  const keysmith = (...args: string[]) => app.run([...args, '-d', 'data-source.js']);

  beforeAll(async () => {
    db = await openCliDatabase(database, 'cli_usage');
    app = await createCliApp({ files: { 'data-source.js': dataSourceModule(db.connection, { bcryptRounds: 4 }) } });
    const created = await keysmith('tokens', 'create', '--name', 'used');
    prefix = created.stdout.trim().split(':')[0];
    const { id } = await db.dataSource.getRepository(Token).findOneByOrFail({ prefix });
    const row = (minute: string, outcome: string, count: number) =>
      Object.assign(new TokenUsage(), { tokenId: id, minuteAt: new Date(minute), outcome, count });
    await upsertUsage(db.dataSource.getRepository(TokenUsage), [
      row('2026-03-01T10:05:00Z', 'success', 7),
      row('2026-03-01T10:59:00Z', 'revoked_token', 2),
      row('2026-03-01T12:00:00Z', 'success', 3),
      row('2026-03-01T12:00:00Z', 'insufficient_scope', 1),
    ]);
  });
  afterAll(async () => {
    await app?.remove();
    await db?.close();
  });

  const range = ['--since', '2026-03-01', '--until', '2026-03-02'];

  it('prints a table of the buckets and their total', async () => {
    const run = await keysmith('tokens', 'usage', prefix, ...range);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout.split('\n').map((line) => line.split(/\s{2,}/))).toEqual([
      ['START', 'SUCCESSES', 'REFUSALS', 'BY REFUSAL'],
      ['2026-03-01T10:00:00Z', '7', '2', 'revoked_token=2'],
      ['2026-03-01T12:00:00Z', '3', '1', 'insufficient_scope=1'],
      ['TOTAL', '10', '3', expect.stringMatching(/^(revoked_token=2 insufficient_scope=1|insufficient_scope=1 revoked_token=2)$/)],
      [''],
    ]);
  });

  it('prints JSON with --json, in the buckets --bucket names', async () => {
    const run = await keysmith('tokens', 'usage', prefix, ...range, '--bucket', 'day', '--json');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(run.stdout)).toMatchObject({
      bucket: 'day',
      successes: 10,
      refusals: 3,
      buckets: [{ start: '2026-03-01T00:00:00.000Z', successes: 10, refusals: 3 }],
    });
  });

  it.each([
    [['--bucket', 'week'], '--bucket'],
    [['--since', 'yesterday'], '--since'],
    [['--since', '2026-03-02', '--until', '2026-03-01'], 'since'],
  ])('refuses %j with exit 1 naming the option', async (args, named) => {
    const run = await keysmith('tokens', 'usage', prefix, ...args);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(named);
  });
});
