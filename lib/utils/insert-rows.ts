import type { ObjectLiteral, Repository } from 'typeorm';

/**
 * One multi-row INSERT of whole entities, built from the entity metadata with the driver's own
 * quoting, placeholders and value conversion. TypeORM's insert builder does the same through
 * per-row machinery that costs more CPU than the write itself when rows come by the thousand.
 */
export async function insertRows<Entity extends ObjectLiteral>(repository: Repository<Entity>, rows: Entity[]): Promise<void> {
  if (rows.length === 0) return;
  const { metadata, manager } = repository;
  const { driver } = manager.connection;
  const columns = metadata.columns;
  const parameters: unknown[] = [];
  const values = rows.map((row) => {
    const placeholders = columns.map((column) => {
      parameters.push(driver.preparePersistentValue(column.getEntityValue(row), column));
      return driver.createParameter(`p${parameters.length}`, parameters.length - 1);
    });
    return `(${placeholders.join(', ')})`;
  });
  const columnList = columns.map((column) => driver.escape(column.databaseName)).join(', ');
  await manager.query(`INSERT INTO ${driver.escape(metadata.tablePath)} (${columnList}) VALUES ${values.join(', ')}`, parameters);
}
