import type { Driver, ObjectLiteral, Repository } from 'typeorm';
import { escapeTablePath } from '../entities/table-path.js';
import { familyOf } from '../migrations/keysmith-tables.js';

/**
 * One multi-row INSERT of whole entities, built from the entity metadata with the driver's own
 * quoting, placeholders and value conversion. TypeORM's insert builder does the same through
 * per-row machinery that costs more CPU than the write itself when rows come by the thousand.
 *
 * Rows whose primary key is stored already are skipped: a batch tried again because the answer
 * to its first try was lost with the connection, after the database had taken it, is written
 * once rather than refused as a duplicate. Columns the database fills (a generated key, as in
 * django-keysmith's audit table) are left to it.
 */
export async function insertRows<Entity extends ObjectLiteral>(repository: Repository<Entity>, rows: Entity[]): Promise<void> {
  if (rows.length === 0) return;
  const { metadata, manager } = repository;
  const { driver } = manager.connection;
  const columns = metadata.columns.filter((column) => !column.isGenerated && !column.isVirtualProperty);
  const values = rows.map((row) => columns.map((column): unknown => driver.preparePersistentValue(column.getEntityValue(row), column)));
  const into = `INSERT INTO ${escapeTablePath(driver, metadata.tablePath)} (${columns.map((column) => driver.escape(column.databaseName)).join(', ')})`;
  const skipStored = skipStoredClause(repository);

  if (driver.options.type === 'postgres' && metadata.synchronize && columns.every(isScalar)) {
    // One array a column, unnested: PostgreSQL parses and plans a parameter a column instead of
    // one a value, which halves the CPU a row costs it and the driver. The arrays are cast to the
    // types the entity maps, which are the table's only where TypeORM made it (not `synchronize:
    // false`, as django-keysmith's `inet` and `jsonb` columns are, which a text array cannot fill).
    const arrays = columns.map((_, index) => values.map((row) => row[index]));
    const casts = columns.map((column, index) => `$${index + 1}::${driver.normalizeType(column)}[]`);
    await manager.query(`${into} SELECT * FROM unnest(${casts.join(', ')}) ${skipStored}`, arrays);
    return;
  }

  // Named, then bound by the driver as its query builder binds them (a `Date` as SQLite's text).
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the driver as `this`
  const { escapeQueryWithParameters } = driver;
  const named: Record<string, unknown> = {};
  const tuples = values.map((row, rowIndex) => {
    const placeholders = row.map((value, index) => {
      named[`r${rowIndex}c${index}`] = value;
      return `:r${rowIndex}c${index}`;
    });
    return `(${placeholders.join(', ')})`;
  });
  const [sql, parameters] = (escapeQueryWithParameters as EscapeQueryWithParameters).call(
    driver,
    `${into} VALUES ${tuples.join(', ')} ${skipStored}`,
    named,
    {},
  );
  await manager.query(sql, parameters);
}

/** The driver's binding of named parameters: TypeORM 0.3 also takes the native parameters, which 1.x dropped; both take them. */
type EscapeQueryWithParameters = (
  this: Driver,
  sql: string,
  parameters: ObjectLiteral,
  nativeParameters: ObjectLiteral,
) => [string, unknown[]];

/** The clause that leaves a row whose primary key is stored already as it is. */
function skipStoredClause<Entity extends ObjectLiteral>({ metadata, manager }: Repository<Entity>): string {
  const { driver } = manager.connection;
  switch (familyOf(driver.options.type)) {
    case 'postgres':
    case 'sqlite':
      return 'ON CONFLICT DO NOTHING';
    case 'mysql': {
      const key = driver.escape(metadata.primaryColumns[0].databaseName);
      return `ON DUPLICATE KEY UPDATE ${key} = ${key}`;
    }
    default:
      return '';
  }
}

/** A column whose type has a plain array type to cast to (not an array or an enum itself). */
function isScalar(column: Repository<ObjectLiteral>['metadata']['columns'][number]): boolean {
  return !column.isArray && column.enum === undefined;
}
