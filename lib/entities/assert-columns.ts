import type { DataSource, EntityMetadata } from 'typeorm';
import { KeysmithSchemaError } from '../errors/keysmith-schema.error.js';
import { familyOf } from '../migrations/keysmith-tables.js';
import { keysmithEntityMetadata } from './entity-metadata.js';
import { djangoKeysmithTableAdvice, isDjangoKeysmithTable } from '../interop/django-keysmith-tables.js';

/**
 * Refuses, at startup, a database whose tables for these entities lack a column the entities
 * map (a migration that was not run), naming the table and the column, rather than failing
 * every request later. One metadata query a table, after `synchronize` (the data source is
 * initialized first); a data source not initialized yet, or of a database the package does not
 * support, is not checked.
 */
export async function assertKeysmithColumns(dataSource: DataSource, entities: readonly (abstract new () => unknown)[]): Promise<void> {
  if (!dataSource.isInitialized) return;
  for (const entity of entities) {
    const metadata = keysmithEntityMetadata(dataSource, entity);
    if (!metadata) continue;
    const present = await columnsOf(dataSource, metadata);
    if (present === null) continue;
    if (present.size === 0) throw new KeysmithSchemaError(metadata.tablePath, null);
    const missing = metadata.columns.find((column) => !column.isVirtualProperty && !present.has(column.databaseName));
    if (missing) throw await missingColumnError(dataSource, metadata.tablePath, missing.databaseName);
  }
}

/** The error for a missing column, which says so when the table is django-keysmith's rather than an old one of this package. */
async function missingColumnError(dataSource: DataSource, table: string, column: string): Promise<KeysmithSchemaError> {
  const queryRunner = dataSource.createQueryRunner();
  try {
    const advice = (await isDjangoKeysmithTable(queryRunner, table)) ? djangoKeysmithTableAdvice(table) : undefined;
    return new KeysmithSchemaError(table, column, advice);
  } finally {
    await queryRunner.release();
  }
}

/** The names of the table's columns (none when there is no such table); `null` on a database the package does not support. */
async function columnsOf(dataSource: DataSource, metadata: EntityMetadata): Promise<Set<string> | null> {
  const { driver } = dataSource;
  const { schema, database, tableName } = driver.parseTableName(metadata);
  let rows: { name: string }[];
  switch (familyOf(driver.options.type)) {
    case 'postgres':
      rows = await dataSource.query(
        'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2',
        [schema ?? null, tableName],
      );
      break;
    case 'mysql':
      rows = await dataSource.query(
        'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?',
        [database ?? null, tableName],
      );
      break;
    case 'sqlite':
      rows = await dataSource.query('SELECT name FROM pragma_table_info(?)', [tableName]);
      break;
    default:
      return null;
  }
  return new Set(rows.map((row) => row.name));
}
