import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Token } from '../../lib/index.js';
import { createCliApp, dataSourceModule, type CliApp } from './cli-app.js';
import { cliDatabases, openCliDatabase, type CliDatabase } from './cli-database.js';

describe.each(cliDatabases())('keysmith tokens: rate limits on %s', (database) => {
  let db: CliDatabase;
  let app: CliApp;
  const keysmith = (...args: string[]) => app.run([...args, '-d', 'data-source.js']);

  beforeAll(async () => {
    db = await openCliDatabase(database, 'cli_rate_limit');
    app = await createCliApp({ files: { 'data-source.js': dataSourceModule(db.connection, { bcryptRounds: 4 }) } });
  });
  afterAll(async () => {
    await app?.remove();
    await db?.close();
  });

  const stored = (prefix: string) => db.dataSource.getRepository(Token).findOneByOrFail({ prefix });

  it('create takes --rate-limit; update changes it and --no-rate-limit removes it', async () => {
    const run = await keysmith('tokens', 'create', '--name', 'limited', '--rate-limit', '1000/1h');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    const rawToken = run.stdout.trim();
    const prefix = rawToken.slice(0, rawToken.indexOf(':'));
    expect((await stored(prefix)).rateLimit).toEqual({ limit: 1000, windowSeconds: 3_600 });

    const updated = await keysmith('tokens', 'update', prefix, '--rate-limit', '10/30');
    expect(updated, updated.stderr).toMatchObject({ code: 0 });
    expect(updated.stderr).toContain('rateLimit');
    expect((await stored(prefix)).rateLimit).toEqual({ limit: 10, windowSeconds: 30 });

    expect(await keysmith('tokens', 'update', prefix, '--no-rate-limit')).toMatchObject({ code: 0 });
    expect((await stored(prefix)).rateLimit).toBeNull();
  });

  it('create takes --quota and --quota-refill; update sets the quota afresh and --no-quota removes it', async () => {
    const run = await keysmith('tokens', 'create', '--name', 'metered', '--quota', '500', '--quota-refill', '1000/1d');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    const rawToken = run.stdout.trim();
    const prefix = rawToken.slice(0, rawToken.indexOf(':'));
    expect(await stored(prefix)).toMatchObject({ quotaRemaining: 500, quotaRefill: { amount: 1000, intervalSeconds: 86_400 } });

    expect(await keysmith('tokens', 'update', prefix, '--quota-refill', '10/1h')).toMatchObject({ code: 0 });
    expect(await stored(prefix)).toMatchObject({ quotaRemaining: 10, quotaRefill: { amount: 10, intervalSeconds: 3_600 } });
    const removed = await keysmith('tokens', 'update', prefix, '--no-quota');
    expect(removed.stderr).toContain('quota');
    expect(await stored(prefix)).toMatchObject({ quotaRemaining: null, quotaRefill: null });

    const refused = await keysmith('tokens', 'create', '--name', 'bad-quota', '--quota', '-3');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('quota.remaining');
  });

  it.each([
    ['0/60s', 'rateLimit.limit'],
    ['-5/60s', 'rateLimit.limit'],
    ['2.5/60s', 'rateLimit.limit'],
    ['10/0', 'rateLimit.windowSeconds'],
    ['10', '<number>/<duration>'],
  ])('refuses --rate-limit %s in one line, exit 1', async (value, named) => {
    const run = await keysmith('tokens', 'create', '--name', 'bad-limit', `--rate-limit=${value}`);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(named);
  });
});
