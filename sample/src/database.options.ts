import { fileURLToPath } from 'node:url';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';

/** SQLite file used when neither `DATABASE_URL` nor `SAMPLE_SQLITE_PATH` is set (gitignored). */
export const DEFAULT_SQLITE_PATH = fileURLToPath(new URL('../keysmith-sample.sqlite', import.meta.url));

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connection options from the environment: PostgreSQL or MariaDB/MySQL when `DATABASE_URL` is
 * set (`postgres://`, `mariadb://`, `mysql://`), else the SQLite file `SAMPLE_SQLITE_PATH`.
 * `synchronize` creates the tables: fine for a sample, use migrations in an application.
 */
export function databaseOptions(env: NodeJS.ProcessEnv = process.env): TypeOrmModuleOptions {
  const common = { autoLoadEntities: true, synchronize: true, retryAttempts: 2 } as const;
  const url = env.DATABASE_URL;
  if (!url) return { type: 'better-sqlite3', database: env.SAMPLE_SQLITE_PATH || DEFAULT_SQLITE_PATH, ...common };

  // Without a connect timeout, node-postgres waits forever for a database that does not answer,
  // and every request that needs one hangs instead of failing with 503. MySQL/MariaDB need
  // `timezone: 'Z'`, so that DATETIME values are UTC whatever the process's time zone.
  const scheme = url.slice(0, url.indexOf(':'));
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      return { type: 'postgres', url, connectTimeoutMS: CONNECT_TIMEOUT_MS, ...common };
    case 'mariadb':
      return { type: 'mariadb', url, connectTimeout: CONNECT_TIMEOUT_MS, timezone: 'Z', ...common };
    case 'mysql':
      return { type: 'mysql', url, connectTimeout: CONNECT_TIMEOUT_MS, timezone: 'Z', ...common };
    default:
      throw new Error(`DATABASE_URL must start with postgres://, mariadb:// or mysql://; got "${scheme}://".`);
  }
}

/** Where the data lives, for the console: the SQLite path, or the server URL without its password. */
export function describeDatabase(options: TypeOrmModuleOptions): string {
  if (options.type === 'better-sqlite3') return `SQLite file ${options.database}`;
  const url = new URL((options as { url: string }).url);
  if (url.password) url.password = '***';
  return `${options.type} at ${url.toString()}`;
}
