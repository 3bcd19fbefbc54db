import { getMetadataArgsStorage, type DataSource } from 'typeorm';

/**
 * Makes `dataSource.getRepository(entity)` work when the DataSource lists another copy of the same
 * entity class, as in a CommonJS application, which loads the CommonJS build of nestjs-keysmith
 * while this command line runs the ESM build: TypeORM finds classes by identity, and the copies
 * share only their name and table.
 *
 * @returns whether the DataSource knows the entity, in this copy or in another
 */
export function adoptEntity(dataSource: DataSource, entity: abstract new (...args: never[]) => unknown): boolean {
  if (dataSource.hasMetadata(entity)) return true;
  const table = getMetadataArgsStorage().tables.find((args) => args.target === entity)?.name;
  const copy = dataSource.entityMetadatas.find((metadata) => metadata.targetName === entity.name && metadata.givenTableName === table);
  if (!copy) return false;
  dataSource.entityMetadatasMap.set(entity, copy);
  return true;
}
