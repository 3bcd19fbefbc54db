import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

/** What TypeORM's column metadata says about where a column was declared. */
interface DeclaredColumn {
  target?: unknown;
  propertyName?: string;
}

/** Property names of the timestamp columns, by entity class; shared by every copy of the package in the process. */
const INSTANT_COLUMNS = ((globalThis as Record<symbol, unknown>)[Symbol.for('nestjs-keysmith:instant-columns')] ??= new WeakMap<
  object,
  Set<string>
>()) as WeakMap<object, Set<string>>;

const WRAPPED = Symbol.for('nestjs-keysmith:instant-normalize-type');

/**
 * Marks a column as an instant, which PostgreSQL then stores as `timestamp with time zone`.
 *
 * TypeORM maps a `Date` column to `timestamp without time zone` on PostgreSQL, which the `pg`
 * driver writes and reads in the local time zone of each process, so two processes in different
 * zones disagree by their offset. `timestamptz` holds an instant, but MySQL and SQLite have no
 * such type and TypeORM takes one column type per entity whatever the driver. So the entities
 * declare `Date`, and the PostgreSQL driver's `normalizeType`, which every schema build, schema
 * diff and cast goes through, answers `timestamp with time zone` for these columns only.
 * `assertInstantSafe` refuses a DataSource on which this did not take.
 */
export function markInstantColumn(entity: object, propertyName: string): void {
  wrapNormalizeType();
  const columns = INSTANT_COLUMNS.get(entity) ?? new Set<string>();
  columns.add(propertyName);
  INSTANT_COLUMNS.set(entity, columns);
}

/** Whether the column was declared with `TimestampColumn`. */
export function isInstantColumn({ target, propertyName }: DeclaredColumn): boolean {
  if (typeof target !== 'function' || propertyName === undefined) return false;
  return INSTANT_COLUMNS.get(target)?.has(propertyName) ?? false;
}

function wrapNormalizeType(): void {
  const prototype = PostgresDriver.prototype as PostgresDriver & { [WRAPPED]?: true };
  if (prototype[WRAPPED]) return;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the driver as `this`
  const normalizeType = prototype.normalizeType;
  prototype.normalizeType = function (this: PostgresDriver, column: Parameters<PostgresDriver['normalizeType']>[0]): string {
    return isInstantColumn(column as DeclaredColumn) ? 'timestamp with time zone' : normalizeType.call(this, column);
  };
  prototype[WRAPPED] = true;
}
