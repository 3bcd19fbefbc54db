import { Column, type ColumnOptions } from 'typeorm';
import { markInstantColumn } from './instant-columns.js';

/**
 * An instant with milliseconds, which means the same moment whatever the time zone of the
 * application, the command line and the database server: `timestamp(3) with time zone` on
 * PostgreSQL, `datetime(3)` holding UTC on MySQL/MariaDB (the DataSource's `timezone: 'Z'`,
 * which `assertInstantSafe` requires) and on SQLite (TypeORM writes and reads UTC there).
 */
export function TimestampColumn(options: Pick<ColumnOptions, 'name' | 'nullable'>): PropertyDecorator {
  const column = Column({ type: Date, precision: 3, nullable: options.nullable ?? false, name: options.name });
  return (prototype, propertyName) => {
    markInstantColumn(prototype.constructor, String(propertyName));
    column(prototype, propertyName);
  };
}
