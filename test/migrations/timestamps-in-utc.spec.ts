import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateKeysmithTables1795737600000, KEYSMITH_ENTITIES, KEYSMITH_MIGRATIONS, Token, TokenAuditLog } from '../../lib/index.js';
import { cliDatabases } from '../cli/cli-database.js';
import { databaseOptions } from '../support/databases.js';

const RUN_MIGRATIONS = fileURLToPath(new URL('./fixtures/run-migrations.ts', import.meta.url));
const SWC_REGISTER = fileURLToPath(new URL('../support/swc-register.mjs', import.meta.url));

/** The zone of the 0.1.0 application, and of the process that runs the migration. */
const WRITER_ZONE = 'America/Los_Angeles';

/** Instants 0.1.0 stored: on both sides of the zone's daylight-saving changes, and far ahead. */
const TOKENS = [
  // Winter (UTC-8), summer (UTC-7), and the last millisecond before clocks go forward.
  {
    prefix: 'tok_winter01',
    createdAt: '2026-01-15T18:30:00.123Z',
    expiresAt: '2026-07-04T16:00:00.456Z',
    lastUsedAt: '2026-03-08T09:59:59.999Z',
  },
  // The first instant after clocks go forward (03:00 local).
  { prefix: 'tok_spring01', createdAt: '2026-03-08T10:00:00.000Z', expiresAt: null, lastUsedAt: null },
  // 01:30 local before clocks go back (it comes again an hour later), 02:30 local after; an expiry in year 9999.
  {
    prefix: 'tok_autumn01',
    createdAt: '2026-11-01T08:30:00.000Z',
    expiresAt: '9999-06-30T12:00:00.000Z',
    lastUsedAt: '2026-11-01T10:30:00.000Z',
  },
];
/** Audit rows; the last one is 2026 in the writer's zone and 2027 in UTC. */
const AUDIT = ['2026-01-15T18:30:00.123Z', '2026-06-30T23:59:59.999Z', '2026-11-01T08:30:00.000Z', '2027-01-01T05:00:00.000Z'];

/** `YYYY-MM-DD HH:MM:SS.mmm` of an instant in a zone: what 0.1.0 stored for it. */
function wallClock(iso: string, timeZone: string): string {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    fractionalSecondDigits: 3,
  });
  const part = Object.fromEntries(format.formatToParts(new Date(iso)).map(({ type, value }) => [type, value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}.${part.fractionalSecond}`;
}

/** A timestamp column as the text the database holds, in the format of `wallClock`. */
function asText(source: DataSource, column: string): string {
  if (source.options.type === 'postgres') return `to_char(${column}, 'YYYY-MM-DD HH24:MI:SS.MS')`;
  if (source.options.type === 'mariadb') return `CAST(${column} AS CHAR)`;
  return column;
}

async function migrateInZone(connection: DataSourceOptions, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', SWC_REGISTER, RUN_MIGRATIONS, ...args], {
    env: { ...process.env, TZ: WRITER_ZONE, KEYSMITH_DATA_SOURCE: JSON.stringify(connection) },
    timeout: 60_000,
  });
  return stdout;
}

describe.each(cliDatabases())('KeysmithTimestampsInUtc on a 0.1.0 %s database holding tokens and audit rows', (database) => {
  let connection: DataSourceOptions;
  let stored: (iso: string | null) => string | null;
  /** The migrations `up` ran: this one, and those after it. */
  let migrated: string[];
  const open: DataSource[] = [];

  /** The database as the entities and migrations of this version see it. */
  async function current(): Promise<DataSource> {
    const source = new DataSource({ ...connection, entities: KEYSMITH_ENTITIES, migrations: KEYSMITH_MIGRATIONS });
    open.push(source);
    return source.initialize();
  }

  async function storedRows(source: DataSource) {
    const [tokens, audit] = [source.driver.escape('keysmith_token'), source.driver.escape('keysmith_token_audit_log')];
    const columns = ['created_at', 'expires_at', 'last_used_at'].map((column) => `${asText(source, column)} AS ${column}`);
    const tokenRows: unknown = await source.query(`SELECT prefix, ${columns.join(', ')} FROM ${tokens} ORDER BY prefix`);
    const auditRows: { created_at: string }[] = await source.query(`SELECT ${asText(source, 'created_at')} AS created_at FROM ${audit}`);
    return { tokens: tokenRows, audit: auditRows.map((row) => row.created_at).sort() };
  }

  beforeAll(async () => {
    connection = { ...(await databaseOptions(database, 'migrations_timestamps_in_utc')), synchronize: false, dropSchema: false };
    // 0.1.0 wrote wall-clock times of its process's zone on PostgreSQL and MariaDB, UTC on SQLite.
    const zone = database === 'sqlite-file' ? 'UTC' : WRITER_ZONE;
    stored = (iso) => (iso === null ? null : wallClock(iso, zone));

    const old = await new DataSource({ ...connection, dropSchema: true, migrations: [CreateKeysmithTables1795737600000] }).initialize();
    try {
      await old.runMigrations();
      const literal = (iso: string | null) => (iso === null ? 'NULL' : `'${stored(iso)}'`);
      for (const [index, token] of TOKENS.entries()) {
        await old.query(
          `INSERT INTO ${old.driver.escape('keysmith_token')} (id, name, description, scopes, ${old.driver.escape('key')}, prefix, created_at, expires_at, last_used_at) ` +
            `VALUES ('00000000-0000-4000-8000-00000000000${index}', '${token.prefix}', '', '[]', 'k', '${token.prefix}', ` +
            `${literal(token.createdAt)}, ${literal(token.expiresAt)}, ${literal(token.lastUsedAt)})`,
        );
      }
      for (const [index, createdAt] of AUDIT.entries()) {
        await old.query(
          `INSERT INTO ${old.driver.escape('keysmith_token_audit_log')} (id, action, extra, created_at) ` +
            `VALUES ('00000000-0000-4000-8000-00000000010${index}', 'created', '{}', ${literal(createdAt)})`,
        );
      }
    } finally {
      await old.destroy();
    }
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((source) => source.destroy()));
  });

  it(`up, run in the zone 0.1.0 wrote in (${WRITER_ZONE}), keeps every instant and leaves TypeORM nothing to change`, async () => {
    migrated = JSON.parse(await migrateInZone(connection, 'up')) as string[];
    expect(migrated[0]).toBe('KeysmithTimestampsInUtc1795996800000');

    const source = await current();
    const tokens = await source.getRepository(Token).find({ order: { prefix: 'ASC' } });
    const instants = (date: Date | null) => date?.toISOString() ?? null;
    expect(
      tokens.map((token) => ({
        prefix: token.prefix,
        createdAt: instants(token.createdAt),
        expiresAt: instants(token.expiresAt),
        lastUsedAt: instants(token.lastUsedAt),
      })),
    ).toEqual([...TOKENS].sort((a, b) => a.prefix.localeCompare(b.prefix)));
    const audit = await source.getRepository(TokenAuditLog).find({ order: { createdAt: 'ASC' } });
    expect(audit.map((row) => row.createdAt.toISOString())).toEqual(AUDIT);

    const log = await source.driver.createSchemaBuilder().log();
    expect(log.upQueries.map((query) => query.query)).toEqual([]);
    if (database === 'postgres') {
      const [table] = await source.createQueryRunner().getTables(['keysmith_token']);
      const timestampColumns = table.columns.filter((column) => column.name.endsWith('_at'));
      expect(timestampColumns.map((column) => column.name)).toEqual(expect.arrayContaining(['created_at', 'expires_at', 'last_used_at']));
      for (const column of timestampColumns) expect(column.type, column.name).toBe('timestamp with time zone');
    }
  });

  it('down, run in the same zone (with the migrations after it), gives back what 0.1.0 stored', async () => {
    await migrateInZone(connection, 'down', String(migrated.length));

    const source = await current();
    const rows = await storedRows(source);
    expect(rows.tokens).toEqual(
      [...TOKENS]
        .sort((a, b) => a.prefix.localeCompare(b.prefix))
        .map((token) => ({
          prefix: token.prefix,
          created_at: stored(token.createdAt),
          expires_at: stored(token.expiresAt),
          last_used_at: stored(token.lastUsedAt),
        })),
    );
    expect(rows.audit).toEqual(AUDIT.map(stored).sort());
    expect(await source.showMigrations()).toBe(true);
  });
});
