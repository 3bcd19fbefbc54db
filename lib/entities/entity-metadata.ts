import { getMetadataArgsStorage, type DataSource, type EntityMetadata } from 'typeorm';

/**
 * The metadata of a keysmith entity on a data source: that of its class, or else that of an entity
 * of the same class name and table declared by another build of the package. An ES module script
 * that opens a CommonJS data source file gets the entity classes of the package's ES module
 * build, while the file listed those of its CommonJS build: two classes for one table, which
 * TypeORM tells apart. `null` when the data source lists neither.
 */
export function keysmithEntityMetadata(dataSource: DataSource, entity: abstract new () => unknown): EntityMetadata | null {
  if (dataSource.hasMetadata(entity)) return dataSource.getMetadata(entity);
  const table = getMetadataArgsStorage().tables.find((args) => args.target === entity)?.name;
  return dataSource.entityMetadatas.find((metadata) => metadata.targetName === entity.name && metadata.givenTableName === table) ?? null;
}
