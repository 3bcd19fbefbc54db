import type { DataSource, EntityTarget } from 'typeorm';

/** Tables of the given entities that the database does not have yet (before the migrations ran). */
export async function missingTables(dataSource: DataSource, entities: readonly EntityTarget<unknown>[]): Promise<string[]> {
  const queryRunner = dataSource.createQueryRunner();
  try {
    const missing: string[] = [];
    for (const entity of entities) {
      const { tablePath } = dataSource.getMetadata(entity);
      if (!(await queryRunner.hasTable(tablePath))) missing.push(tablePath);
    }
    return missing;
  } finally {
    await queryRunner.release();
  }
}
