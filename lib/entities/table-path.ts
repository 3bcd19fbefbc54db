import type { Driver } from 'typeorm';

/**
 * A table path (`schema.table` on PostgreSQL with a `schema`, `database.table`, or `table`) quoted
 * a part at a time, as TypeORM's query builder quotes it: the path quoted whole would name one
 * table called `schema.table`.
 */
export function escapeTablePath(driver: Driver, tablePath: string): string {
  return tablePath
    .split('.')
    .map((part) => driver.escape(part))
    .join('.');
}
