import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { assertInstantSafe } from '../../lib/entities/assert-instant-safe.js';
import { createCliApp, dataSourceModule, type CliApp } from '../cli/cli-app.js';
import { cliDatabases, openCliDatabase, type CliDatabase } from '../cli/cli-database.js';
import { startChildApp, type ChildApp } from '../support/child-app.js';

const ZONED_APP = fileURLToPath(new URL('./fixtures/zoned-app.ts', import.meta.url));
const HOUR_MS = 3_600_000;
const KEYSMITH_OPTIONS = { bcryptRounds: 4 };

interface TokenView {
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

function startApp(timeZone: string, connection: object): Promise<ChildApp> {
  return startChildApp({
    script: ZONED_APP,
    env: { TZ: timeZone, KEYSMITH_DATA_SOURCE: JSON.stringify(connection), KEYSMITH_OPTIONS: JSON.stringify(KEYSMITH_OPTIONS) },
    ready: /listening on (http:\/\/\S+)/,
  });
}

/** `[from, to]` as epoch milliseconds, for an instant that must fall inside. */
const within = (from: number, to: number): unknown => expect.toSatisfy((iso: string) => Date.parse(iso) >= from && Date.parse(iso) <= to);

describe.each(cliDatabases())('token and audit timestamps across time zones on %s', (database) => {
  let db: CliDatabase;
  let cli: CliApp;
  let utcApp: ChildApp;
  const keysmith = (timeZone: string, ...args: string[]) => cli.run([...args, '-d', 'data-source.js'], { TZ: timeZone });

  beforeAll(async () => {
    db = await openCliDatabase(database, 'security_time_zones');
    cli = await createCliApp({ files: { 'data-source.js': dataSourceModule(db.connection, KEYSMITH_OPTIONS) } });
    utcApp = await startApp('UTC', db.connection);
  });
  afterAll(async () => {
    await utcApp?.stop();
    await cli?.remove();
    await db?.close();
  });

  /** `keysmith tokens create --expires-in 1h` in a zone, and the token's times as the application in UTC reads them. */
  async function createdInZoneSeenInUtc(timeZone: string) {
    const before = Date.now();
    const run = await keysmith(timeZone, 'tokens', 'create', '--name', `made in ${timeZone}`, '--expires-in', '1h');
    const after = Date.now();
    expect(run.code, run.stderr).toBe(0);
    const response = await fetch(`${utcApp.url}/api/token-times`, { headers: { 'x-keysmith-token': run.stdout.trim() } });
    return { before, after, status: response.status, times: (await response.json()) as { createdAt: string; expiresAt: string } };
  }

  it('the CLI in Asia/Tokyo creates --expires-in 1h: the application in UTC sees it expire 1 h later, not 10 h', async () => {
    const { before, after, status, times } = await createdInZoneSeenInUtc('Asia/Tokyo');
    expect(status).toBe(200);
    expect(times).toEqual({ createdAt: within(before, after), expiresAt: within(before + HOUR_MS, after + HOUR_MS) });
  });

  it('the CLI in America/Los_Angeles creates --expires-in 1h: the token is not born expired for the application in UTC', async () => {
    const { before, after, status, times } = await createdInZoneSeenInUtc('America/Los_Angeles');
    expect(status).toBe(200);
    expect(times).toEqual({ createdAt: within(before, after), expiresAt: within(before + HOUR_MS, after + HOUR_MS) });
  });

  it('what an application in Asia/Tokyo writes (created, expiry, last use, audit rows), the CLI in America/Los_Angeles reads at the same instants', async () => {
    const tokyoApp = await startApp('Asia/Tokyo', db.connection);
    const expiresAt = new Date(Date.now() + 2 * HOUR_MS).toISOString();
    const before = Date.now();
    let prefix: string;
    try {
      const created = await fetch(`${tokyoApp.url}/admin/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'made in Tokyo', expiresAt }),
      });
      const { prefix: made, rawToken } = (await created.json()) as { prefix: string; rawToken: string };
      prefix = made;
      expect((await fetch(`${tokyoApp.url}/api/token-times`, { headers: { 'x-keysmith-token': rawToken } })).status).toBe(200);
    } finally {
      // Stopping writes what the application still buffers: the last use and the audit rows.
      await tokyoApp.stop();
    }
    const after = Date.now();

    const listed = await keysmith('America/Los_Angeles', 'tokens', 'list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const token = (JSON.parse(listed.stdout) as TokenView[]).find((view) => view.prefix === prefix);
    expect(token).toMatchObject({ createdAt: within(before, after), expiresAt, lastUsedAt: within(before, after) });

    const audited = await keysmith('America/Los_Angeles', 'audit', 'list', '--token', prefix, '--since', '10m', '--json');
    expect(audited.code, audited.stderr).toBe(0);
    const rows = JSON.parse(audited.stdout) as { action: string; createdAt: string }[];
    expect(rows.map((row) => row.action).sort()).toEqual(['auth_success', 'created']);
    for (const row of rows) expect(row.createdAt).toEqual(within(before, after));
  });
});

describe.each(inject('databases').filter((database) => database === 'mariadb'))(
  "a %s DataSource with mysql2's default timezone 'local'",
  (database) => {
    let db: CliDatabase;
    let local: object;
    beforeAll(async () => {
      db = await openCliDatabase(database, 'security_time_zones_local');
      local = { ...db.connection, timezone: undefined };
    });
    afterAll(async () => {
      await db?.close();
    });

    it("stops the application at startup, naming timezone: 'Z'", async () => {
      const started = startApp('Asia/Tokyo', local);
      await expect(started).rejects.toThrow(/Invalid KeysmithModule option "dataSource": .*timezone "local".*set timezone: 'Z'/);
    });

    it("stops the CLI with one line naming timezone: 'Z', and exit 1", async () => {
      const cli = await createCliApp({ files: { 'data-source.js': dataSourceModule(local as never, KEYSMITH_OPTIONS) } });
      try {
        const run = await cli.run(['tokens', 'create', '--name', 'refused', '-d', 'data-source.js'], { TZ: 'Asia/Tokyo' });
        expect(run).toMatchObject({ code: 1, stdout: '' });
        expect(run.stderr).toMatch(/^keysmith: Invalid KeysmithModule option "dataSource": .*set timezone: 'Z' in its options\.\n$/);
      } finally {
        await cli.remove();
      }
    });
  },
);

describe('the MySQL/MariaDB DataSource settings keysmith accepts', () => {
  const check = (options: { timezone?: string; dateStrings?: boolean | string[] }) => () =>
    assertInstantSafe(new DataSource({ type: 'mariadb', ...options }));

  it("accepts the timezones that mean UTC: 'Z', '+00:00' and '-00:00'", () => {
    for (const timezone of ['Z', '+00:00', '-00:00']) expect(check({ timezone })).not.toThrow();
    expect(check({ timezone: 'Z', dateStrings: ['DATE'] })).not.toThrow();
  });

  it('refuses any other timezone, and dateStrings that cover DATETIME, naming the fix', () => {
    expect(check({})).toThrow(
      /timezone "local" writes and reads DATETIME in each process's own time zone rather than UTC.*set timezone: 'Z'/,
    );
    expect(check({ timezone: '+09:00' })).toThrow(/timezone "\+09:00" writes and reads DATETIME in \+09:00 rather than UTC/);
    expect(check({ timezone: 'Z', dateStrings: true })).toThrow(/leave DATETIME out of dateStrings/);
    expect(check({ timezone: 'Z', dateStrings: ['DATETIME'] })).toThrow(/leave DATETIME out of dateStrings/);
  });
});
