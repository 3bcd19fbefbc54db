import type { QueryRunner } from 'typeorm';
import { escapeTablePath } from '../entities/table-path.js';

export type DatabaseFamily = 'postgres' | 'mysql' | 'sqlite';

const FAMILIES: Record<string, DatabaseFamily> = {
  postgres: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  'better-sqlite3': 'sqlite',
  sqlite: 'sqlite',
  sqljs: 'sqlite',
  capacitor: 'sqlite',
  cordova: 'sqlite',
  expo: 'sqlite',
  nativescript: 'sqlite',
  'react-native': 'sqlite',
};

/** The family of a TypeORM database type; `undefined` for the databases nestjs-keysmith does not support. */
export function familyOf(type: string): DatabaseFamily | undefined {
  return FAMILIES[type];
}

/** The family of the migration's database, or an error naming the databases the migrations support. */
export function databaseFamily(queryRunner: QueryRunner): DatabaseFamily {
  const type = queryRunner.connection.driver.options.type;
  const family = familyOf(type);
  if (!family) {
    throw new Error(
      `The nestjs-keysmith migrations support PostgreSQL, MySQL, MariaDB and SQLite; this data source uses "${type}". ` +
        'Write a migration of your own for the keysmith_token and keysmith_token_audit_log tables.',
    );
  }
  return family;
}

/** A keysmith table's name with the data source's `entityPrefix`, as the entities get it. */
export function tableName(queryRunner: QueryRunner, name: string): string {
  const { entityPrefix } = queryRunner.connection.options;
  return entityPrefix ? queryRunner.connection.namingStrategy.prefixTableName(entityPrefix, name) : name;
}

/** A keysmith table's path: in the data source's `schema` on PostgreSQL, as the entities get it. */
export function tablePath(queryRunner: QueryRunner, name: string): string {
  const { driver } = queryRunner.connection;
  const { schema } = driver.options as { schema?: string };
  return driver.buildTableName(tableName(queryRunner, name), schema);
}

/** A keysmith table's path, quoted for raw SQL. */
export function escapedTablePath(queryRunner: QueryRunner, name: string): string {
  return escapeTablePath(queryRunner.connection.driver, tablePath(queryRunner, name));
}
