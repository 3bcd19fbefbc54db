import { execFile } from 'node:child_process';
import { pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import Sqlite from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';
import { databaseOptions, type DatabaseName } from '../support/databases.js';

/** The databases django-keysmith's dumps are for; `fixtures/django-keysmith-<family>.sql` is each one's. */
export type DjangoFamily = 'postgres' | 'sqlite' | 'mariadb';

export type Role = 'valid' | 'scoped_read' | 'scoped_write' | 'expired' | 'revoked' | 'purged' | 'rotated' | 'no_expiry_system';
export type FixtureTokens = Record<Role, { raw: string; prefix: string; id: string; new_raw?: string }> & {
  user_id: number;
};

const FIXTURES = new URL('./fixtures/', import.meta.url);
/** When django-keysmith made the dumps: their expiries count from then. */
const DUMPED_AT = Date.UTC(2026, 10, 30, 16, 1, 18);

/** Django's PBKDF2 password hasher, as django-keysmith verifies a secret it stored: `pbkdf2_sha512$<iterations>$<salt>$<base64>`. */
export function djangoVerifies(secret: string, stored: string): boolean {
  const [algorithm, iterations, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash, 'base64');
  const actual = pbkdf2Sync(secret, salt, Number(iterations), expected.length, 'sha512');
  return algorithm === 'pbkdf2_sha512' && timingSafeEqual(actual, expected);
}

/** The dump a suite's database loads. */
export function djangoFamilyOf(database: DatabaseName): DjangoFamily {
  switch (database) {
    case 'postgres':
      return 'postgres';
    case 'sqlite-file':
      return 'sqlite';
    case 'mariadb':
      return 'mariadb';
    default:
      throw new Error(`No django-keysmith dump loads into ${database}`);
  }
}

/** The raw tokens of a dump, by role. */
export function fixtureTokens(family: DjangoFamily): FixtureTokens {
  return JSON.parse(readFileSync(new URL(`django-keysmith-${family}.tokens.json`, FIXTURES), 'utf8')) as FixtureTokens;
}

/**
 * Empties the suite's database and loads django-keysmith's dump for it, its tokens' expiries moved
 * by the time since the dump was made (so `valid` is still valid and `expired` expired); returns
 * options, without entities, for a data source on it.
 */
export async function loadDjangoDatabase(database: DatabaseName, suite: string): Promise<DataSourceOptions> {
  const family = djangoFamilyOf(database);
  const options = await databaseOptions(database, suite);
  const dump = new URL(`django-keysmith-${family}.sql`, FIXTURES);
  // Whole seconds, so that the six fractional digits of Django's SQLite text stay as they are.
  const shift = Math.round((Date.now() - DUMPED_AT) / 1000);
  switch (family) {
    case 'postgres': {
      const { url } = options as { url: string };
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
        await promisify(execFile)('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', dump.pathname]);
        await client.query("UPDATE keysmith_token SET expires_at = expires_at + $1::integer * interval '1 second'", [shift]);
      } finally {
        await client.end();
      }
      return { type: 'postgres', url };
    }
    case 'sqlite': {
      const file = (options as { database: string }).database;
      rmSync(file, { force: true });
      const sqlite = new Sqlite(file);
      try {
        sqlite.exec(readFileSync(dump, 'utf8'));
        // Django's `YYYY-MM-DD HH:MM:SS.ffffff`: the whole seconds moved, the six fractional digits kept
        // (strftime alone would round them to milliseconds).
        sqlite
          .prepare(
            "UPDATE keysmith_token SET expires_at = strftime('%Y-%m-%d %H:%M:%S', substr(expires_at, 1, 19), ?) || substr(expires_at, 20)",
          )
          .run(`${shift >= 0 ? '+' : ''}${shift} seconds`);
      } finally {
        sqlite.close();
      }
      return { type: 'better-sqlite3', database: file };
    }
    case 'mariadb': {
      const { url } = options as { url: string };
      const connection = await mysql.createConnection({ uri: url, multipleStatements: true });
      try {
        const [tables] = await connection.query<mysql.RowDataPacket[]>(
          'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
        );
        if (tables.length > 0) {
          const names = tables.map(({ name }) => connection.escapeId(name as string)).join(', ');
          await connection.query(`SET FOREIGN_KEY_CHECKS = 0; DROP TABLE ${names}; SET FOREIGN_KEY_CHECKS = 1`);
        }
        await connection.query(readFileSync(dump, 'utf8'));
        await connection.query('UPDATE keysmith_token SET expires_at = expires_at + INTERVAL ? SECOND', [shift]);
      } finally {
        await connection.end();
      }
      // nestjs-keysmith refuses mysql2's default `timezone: 'local'`; Django's naive datetimes are UTC.
      return { type: 'mariadb', url, timezone: 'Z' };
    }
  }
}
