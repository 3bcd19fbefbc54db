import type { DataSource } from 'typeorm';
import { KeysmithConfigurationError } from '../errors/keysmith-configuration.error.js';
import { keysmithEntityMetadata } from './entity-metadata.js';
import { Token } from './token.entity.js';

/** mysql2's `timezone` values that read and write DATETIME as UTC. */
const UTC_TIMEZONES = ['Z', '+00:00', '-00:00'];

/**
 * Refuses, at startup, a DataSource on which the token and audit timestamps would not mean the
 * same instant in every process: on MySQL/MariaDB one whose driver reads and writes DATETIME in
 * the local time zone of the process (mysql2's default `timezone: 'local'`, or `dateStrings`,
 * which TypeORM parses as local time); on PostgreSQL one whose columns are not `timestamptz`.
 */
export function assertInstantSafe(dataSource: DataSource): void {
  const options = dataSource.options as { type: string; timezone?: string; dateStrings?: boolean | string[] };
  if (options.type === 'mysql' || options.type === 'mariadb') {
    const timezone = options.timezone ?? 'local';
    if (!UTC_TIMEZONES.includes(timezone)) {
      const zone = timezone === 'local' ? "each process's own time zone" : timezone;
      throw new KeysmithConfigurationError(
        'dataSource',
        `a ${options.type} DataSource with timezone ${JSON.stringify(timezone)} writes and reads DATETIME in ${zone} rather than UTC, ` +
          "so token expiries and audit times would move between processes; set timezone: 'Z' in its options.",
      );
    }
    if (options.dateStrings === true || (Array.isArray(options.dateStrings) && options.dateStrings.includes('DATETIME'))) {
      throw new KeysmithConfigurationError(
        'dataSource',
        `a ${options.type} DataSource with dateStrings returns DATETIME as text, which TypeORM reads in the process's time zone; ` +
          'leave DATETIME out of dateStrings.',
      );
    }
  }
  const tokens = options.type === 'postgres' ? keysmithEntityMetadata(dataSource, Token) : null;
  if (tokens) {
    const createdAt = tokens.findColumnWithPropertyName('createdAt');
    if (!createdAt || dataSource.driver.normalizeType(createdAt) !== 'timestamp with time zone') {
      throw new KeysmithConfigurationError(
        'dataSource',
        'its typeorm is another copy than the one nestjs-keysmith loads, so the keysmith timestamps would not be ' +
          'timestamptz columns; install typeorm once (npm ls typeorm).',
      );
    }
  }
}
