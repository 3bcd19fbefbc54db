import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { inject } from 'vitest';
import { KEYSMITH_ENTITIES, KEYSMITH_MIGRATIONS, createStandaloneKeysmith, type StandaloneKeysmith } from '../../lib/index.js';
import { databaseOptions, type DatabaseName } from '../support/databases.js';

/** A database a command line can reach from another process: the SQLite file always, the servers of this run. */
export function cliDatabases(): DatabaseName[] {
  return ['sqlite-file', ...inject('databases').filter((name) => name === 'postgres' || name === 'mariadb')];
}

export interface CliDatabase {
  /** Connection options for the application's data source file (no synchronize, no dropSchema). */
  connection: DataSourceOptions;
  dataSource: DataSource;
  /** The services on this side, to check what the command line did. */
  keysmith: StandaloneKeysmith;
  close(): Promise<void>;
}

/** An empty database of the suite's own, with the tables made by KEYSMITH_MIGRATIONS. */
export async function openCliDatabase(database: DatabaseName, suite: string): Promise<CliDatabase> {
  const { synchronize: _synchronize, dropSchema: _dropSchema, ...connection } = await databaseOptions(database, suite);
  const dataSource = new DataSource({
    ...connection,
    dropSchema: true,
    entities: KEYSMITH_ENTITIES,
    migrations: KEYSMITH_MIGRATIONS,
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  const keysmith = await createStandaloneKeysmith(dataSource, { bcryptRounds: 4 });
  return {
    connection: connection as DataSourceOptions,
    dataSource,
    keysmith,
    close: async () => {
      await keysmith.close();
      await dataSource.destroy();
    },
  };
}
