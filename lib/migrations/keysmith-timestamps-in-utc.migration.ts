import type { MigrationInterface, QueryRunner } from 'typeorm';
import { databaseFamily, escapedTablePath, type DatabaseFamily } from './keysmith-tables.js';
import { localOffsetPeriods, type OffsetPeriod } from './local-offset-periods.js';

/** The timestamp columns of each table. */
const TIMESTAMPS: Record<string, string[]> = {
  keysmith_token: ['created_at', 'expires_at', 'last_used_at'],
  keysmith_token_audit_log: ['created_at'],
};

type Direction = 'toUtc' | 'toLocal';

/**
 * Makes every keysmith timestamp an instant. 0.1.0 stored them as wall-clock times of the time
 * zone of the process that wrote them (`timestamp without time zone` on PostgreSQL, `datetime`
 * on MySQL/MariaDB with the driver's default `timezone: 'local'`), so two processes in different
 * zones read different instants. `up` reads the stored times as wall-clock times of the zone of
 * the process that runs it (`TZ`), with that zone's daylight-saving rules, as 0.1.0 read them
 * there: PostgreSQL columns become `timestamp(3) with time zone`, MySQL/MariaDB values are
 * rewritten in UTC. SQLite already held UTC and is left as it is. `down` turns UTC back into
 * the wall-clock times of the running process's zone, and PostgreSQL columns back into
 * `timestamp(3) without time zone`.
 */
export class KeysmithTimestampsInUtc1795996800000 implements MigrationInterface {
  /** Set explicitly so that a minifier renaming the class cannot change the recorded migration. */
  readonly name = 'KeysmithTimestampsInUtc1795996800000';

  up(queryRunner: QueryRunner): Promise<void> {
    return convert(queryRunner, 'toUtc');
  }

  down(queryRunner: QueryRunner): Promise<void> {
    return convert(queryRunner, 'toLocal');
  }
}

async function convert(queryRunner: QueryRunner, direction: Direction): Promise<void> {
  const family = databaseFamily(queryRunner);
  if (family === 'sqlite') return;
  for (const [name, columns] of Object.entries(TIMESTAMPS)) {
    const table = escapedTablePath(queryRunner, name);
    const quoted = columns.map((column) => queryRunner.connection.driver.escape(column));
    const periods = localOffsetPeriods(await storedYears(queryRunner, family, direction, table, quoted));
    if (family === 'postgres') {
      await queryRunner.query(`ALTER TABLE ${table} ${quoted.map((column) => alterColumn(column, periods, direction)).join(', ')}`);
    } else {
      const assignments = quoted.map((column) => `${column} = ${shifted(family, column, periods, direction)}`);
      await queryRunner.query(`UPDATE ${table} SET ${assignments.join(', ')}`);
    }
  }
}

/** PostgreSQL: the column's new type, and its values converted through UTC so that the session's zone plays no part. */
function alterColumn(column: string, periods: OffsetPeriod[], direction: Direction): string {
  if (direction === 'toUtc') {
    return `ALTER COLUMN ${column} TYPE timestamp(3) with time zone USING (${shifted('postgres', column, periods, direction)}) AT TIME ZONE 'UTC'`;
  }
  const utc = `(${column} AT TIME ZONE 'UTC')`;
  return `ALTER COLUMN ${column} TYPE timestamp(3) without time zone USING ${shifted('postgres', utc, periods, direction)}`;
}

/**
 * `value` (a wall-clock time) moved by the offset of its period: back to UTC from local time, or
 * forward from UTC to local time. Period ends are compared in the value's own terms, so toward
 * UTC a wall-clock time repeated when clocks go back takes the earlier offset, as `Date` does.
 */
function shifted(family: DatabaseFamily, value: string, periods: OffsetPeriod[], direction: Direction): string {
  const sign = direction === 'toUtc' ? -1 : 1;
  const moved = (offsetMinutes: number) => (offsetMinutes === 0 ? value : `${value} + ${interval(family, sign * offsetMinutes)}`);
  const branches = periods
    .filter((period): period is OffsetPeriod & { until: number } => period.until !== null)
    .map(({ offsetMinutes, until }) => {
      const end = direction === 'toUtc' ? until + offsetMinutes * 60_000 : until;
      return `WHEN ${value} < ${timestampLiteral(end)} THEN ${moved(offsetMinutes)}`;
    });
  const last = moved(periods[periods.length - 1].offsetMinutes);
  return branches.length === 0 ? last : `CASE ${branches.join(' ')} ELSE ${last} END`;
}

function interval(family: DatabaseFamily, minutes: number): string {
  return family === 'postgres' ? `interval '${minutes} minutes'` : `INTERVAL ${minutes} MINUTE`;
}

/** `TIMESTAMP 'YYYY-MM-DD HH:MM:SS.mmm'` of an instant's UTC fields: the same text on every server, whatever its zone. */
function timestampLiteral(instant: number): string {
  return `TIMESTAMP '${new Date(instant).toISOString().replace('T', ' ').replace('Z', '')}'`;
}

/** The calendar years the stored values fall in, as stored (wall-clock times before `up`, UTC after). */
async function storedYears(queryRunner: QueryRunner, family: DatabaseFamily, direction: Direction, table: string, columns: string[]) {
  const yearOf = (column: string) =>
    family === 'mysql'
      ? `YEAR(${column})`
      : `CAST(date_part('year', ${direction === 'toUtc' ? column : `${column} AT TIME ZONE 'UTC'`}) AS integer)`;
  const selects = columns.map((column) => `SELECT DISTINCT ${yearOf(column)} AS year FROM ${table} WHERE ${column} IS NOT NULL`);
  const rows = (await queryRunner.query(selects.join(' UNION '))) as { year: number | string }[];
  return rows.map((row) => Number(row.year));
}
