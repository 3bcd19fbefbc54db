import { Column, type ColumnOptions } from 'typeorm';

/**
 * A millisecond timestamp on every driver: `Date` lets TypeORM pick the driver's own type
 * (timestamp on PostgreSQL, datetime on MySQL/MariaDB and SQLite), and precision 3 keeps the
 * milliseconds MySQL would otherwise drop.
 */
export function TimestampColumn(options: Pick<ColumnOptions, 'name' | 'nullable'>): PropertyDecorator {
  return Column({ type: Date, precision: 3, nullable: options.nullable ?? false, name: options.name });
}
