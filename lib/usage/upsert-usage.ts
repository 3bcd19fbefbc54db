import type { Repository } from 'typeorm';
import { escapeTablePath } from '../entities/table-path.js';
import type { TokenUsage } from '../entities/token-usage.entity.js';
import { familyOf } from '../migrations/keysmith-tables.js';

/**
 * One multi-row INSERT that adds each row's `count` to the row already there for its token,
 * minute and outcome (`ON CONFLICT ... DO UPDATE` on PostgreSQL and SQLite, `ON DUPLICATE KEY
 * UPDATE` on MySQL/MariaDB): instances writing the same minute add up instead of overwriting.
 */
export async function upsertUsage(repository: Repository<TokenUsage>, rows: readonly TokenUsage[]): Promise<void> {
  if (rows.length === 0) return;
  const { metadata, manager } = repository;
  const { driver } = manager.connection;
  const columns = ['tokenId', 'minuteAt', 'outcome', 'count'].map((property) => metadata.findColumnWithPropertyName(property)!);
  const [tokenId, minuteAt, outcome, count] = columns.map((column) => driver.escape(column.databaseName));
  const parameters: unknown[] = [];
  const tuples = rows.map((row) => {
    const placeholders = columns.map((column) => {
      parameters.push(driver.preparePersistentValue(column.getEntityValue(row), column));
      return driver.createParameter(`p${parameters.length}`, parameters.length - 1);
    });
    return `(${placeholders.join(', ')})`;
  });
  const table = escapeTablePath(driver, metadata.tablePath);
  const added =
    familyOf(driver.options.type) === 'mysql'
      ? `ON DUPLICATE KEY UPDATE ${count} = ${count} + VALUES(${count})`
      : `ON CONFLICT (${tokenId}, ${minuteAt}, ${outcome}) DO UPDATE SET ${count} = ${table}.${count} + EXCLUDED.${count}`;
  await manager.query(
    `INSERT INTO ${table} (${[tokenId, minuteAt, outcome, count].join(', ')}) VALUES ${tuples.join(', ')} ${added}`,
    parameters,
  );
}
