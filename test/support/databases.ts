import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';

/** The databases the suites run on. The SQLite ones always run; the servers where they answer. */
export const DATABASE_NAMES = ['sqlite-memory', 'sqlite-file', 'postgres', 'mariadb'] as const;
export type DatabaseName = (typeof DATABASE_NAMES)[number];

export const POSTGRES_URL = process.env.KEYSMITH_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MARIADB_URL = process.env.KEYSMITH_TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** Whether a database server answers; SQLite always does. */
export async function isReachable(name: DatabaseName): Promise<boolean> {
  try {
    if (name === 'postgres') await withPostgres(POSTGRES_URL, (client) => client.query('SELECT 1'));
    if (name === 'mariadb') await withMariadb(MARIADB_URL, (connection) => connection.query('SELECT 1'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Connection options for one suite: its own database on the servers (so suites in parallel
 * workers never drop each other's tables), its own file for SQLite; the schema is rebuilt empty.
 */
export async function databaseOptions(name: DatabaseName, suite: string): Promise<DataSourceOptions> {
  // KEYSMITH_TEST_NAMESPACE keeps two runs on one server (two checkouts) out of each other's databases.
  const namespace = process.env.KEYSMITH_TEST_NAMESPACE ? `${process.env.KEYSMITH_TEST_NAMESPACE}_` : '';
  const database = `keysmith_${namespace}${suite.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`;
  const common = { synchronize: true, dropSchema: true } as const;
  switch (name) {
    case 'sqlite-memory':
      return { type: 'better-sqlite3', database: ':memory:', ...common };
    case 'sqlite-file':
      return { type: 'better-sqlite3', database: join(tmpdir(), `${database}_${process.pid}.sqlite`), ...common };
    case 'postgres':
      await withPostgres(POSTGRES_URL, async (client) => {
        const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (existing.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
      });
      return { type: 'postgres', url: withDatabase(POSTGRES_URL, database), ...common };
    case 'mariadb':
      await withMariadb(MARIADB_URL, (connection) => connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``));
      // nestjs-keysmith refuses mysql2's default `timezone: 'local'`, which moves instants with the process's zone.
      return { type: 'mariadb', url: withDatabase(MARIADB_URL, database), timezone: 'Z', ...common };
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withPostgres<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function withMariadb<T>(url: string, use: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ uri: url, connectTimeout: 3_000 });
  try {
    return await use(connection);
  } finally {
    await connection.end();
  }
}
