import 'reflect-metadata';
import { DataSource, type DataSourceOptions, type QueryRunner, type Table } from 'typeorm';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { KEYSMITH_ENTITIES, KEYSMITH_MIGRATIONS, Token, createStandaloneKeysmith } from '../../lib/index.js';
import { databaseOptions, type DatabaseName } from '../support/databases.js';

interface MigrationVariant {
  label: string;
  database: DatabaseName;
  /** Options on top of the database's own: another driver type, an entity prefix. */
  overrides: { type?: 'mysql'; entityPrefix?: string };
  /**
   * TypeORM's `mysql` driver reads MariaDB's `NULL` defaults as changes even right after
   * `synchronize`, so on that pairing the migrated schema must leave the same changes pending as
   * a synchronized one, rather than none.
   */
  synchronizeLeavesChanges: boolean;
}

/** Every database of the run; on MariaDB also TypeORM's `mysql` driver; on SQLite an `entityPrefix`. */
function migrationVariants(): MigrationVariant[] {
  return inject('databases').flatMap((database): MigrationVariant[] => {
    const plain = { label: database, database, overrides: {}, synchronizeLeavesChanges: false };
    if (database === 'mariadb') {
      return [plain, { label: 'mariadb, mysql driver', database, overrides: { type: 'mysql' }, synchronizeLeavesChanges: true }];
    }
    if (database === 'sqlite-memory') {
      return [
        plain,
        { label: 'sqlite-memory, entityPrefix', database, overrides: { entityPrefix: 'app_' }, synchronizeLeavesChanges: false },
      ];
    }
    return [plain];
  });
}

const MIGRATION_NAMES = [
  'CreateKeysmithTables1795737600000',
  'KeysmithTimestampsInUtc1795996800000',
  'KeysmithTokenNotices1797206400000',
  'KeysmithKeyPolicy1797292800000',
  'KeysmithClaims1797379200000',
  'KeysmithRateLimits1797465600000',
  'KeysmithQuotas1797552000000',
  'KeysmithTokenUsage1797638400000',
];

describe.each(migrationVariants())('KEYSMITH_MIGRATIONS on $label', (variant) => {
  const tableNames = ['keysmith_token', 'keysmith_token_audit_log', 'keysmith_token_notice', 'keysmith_claim', 'keysmith_token_usage'].map(
    (table) => `${variant.overrides.entityPrefix ?? ''}${table}`,
  );
  const open: DataSource[] = [];

  afterEach(async () => {
    await Promise.all(open.splice(0).map((source) => source.destroy()));
  });

  /** The entities over an empty database of its own; with the migrations, or synchronized instead. */
  async function emptyDatabase(schema: 'migrations' | 'synchronize' = 'migrations'): Promise<DataSource> {
    const suite = `migrations_${variant.label}_${schema}`;
    const source = new DataSource({
      ...(await databaseOptions(variant.database, suite)),
      ...variant.overrides,
      dropSchema: true,
      synchronize: schema === 'synchronize',
      entities: KEYSMITH_ENTITIES,
      migrations: KEYSMITH_MIGRATIONS,
    } as DataSourceOptions);
    open.push(source);
    return source.initialize();
  }

  async function migratedDatabase(): Promise<DataSource> {
    const source = await emptyDatabase();
    const executed = await source.runMigrations();
    expect(executed.map((migration) => migration.name)).toEqual(MIGRATION_NAMES);
    return source;
  }

  async function withQueryRunner<T>(source: DataSource, use: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
    const queryRunner = source.createQueryRunner();
    try {
      return await use(queryRunner);
    } finally {
      await queryRunner.release();
    }
  }

  async function existingTables(source: DataSource): Promise<string[]> {
    const found: string[] = [];
    await withQueryRunner(source, async (queryRunner) => {
      for (const table of tableNames) if (await queryRunner.hasTable(table)) found.push(table);
    });
    return found;
  }

  /** Columns, primary key and indexes of both tables, as TypeORM reads them back from the database. */
  async function tableStructures(source: DataSource) {
    const tables: Table[] = await withQueryRunner(source, (queryRunner) => queryRunner.getTables(tableNames));
    return tables
      .map((table) => ({
        name: table.name,
        columns: table.columns.map(({ name, type, length, precision, isNullable, isPrimary, default: value }) => ({
          name,
          type,
          length,
          precision,
          isNullable,
          isPrimary,
          default: value as unknown,
        })),
        indices: table.indices
          .map(({ name, columnNames, isUnique }) => ({ name, columnNames, isUnique }))
          .sort((a, b) => String(a.name).localeCompare(String(b.name))),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The types of the `*_at` columns of both tables, as TypeORM reads them back. */
  async function timestampTypes(source: DataSource): Promise<string[]> {
    const tables = await withQueryRunner(source, (queryRunner) => queryRunner.getTables(tableNames));
    return tables.flatMap((table) => table.columns.filter((column) => column.name.endsWith('_at')).map((column) => column.type));
  }

  async function pendingChanges(source: DataSource): Promise<string[]> {
    const log = await source.driver.createSchemaBuilder().log();
    return log.upQueries.map((query) => query.query);
  }

  it('starts from a database without the tables, with the migration pending', async () => {
    const source = await emptyDatabase();
    expect(await existingTables(source)).toEqual([]);
    expect(await source.showMigrations()).toBe(true);
  });

  it('creates both tables and leaves migration:generate nothing to change', async () => {
    const source = await migratedDatabase();
    expect(await existingTables(source)).toEqual(tableNames);
    const expected = variant.synchronizeLeavesChanges ? await pendingChanges(await emptyDatabase('synchronize')) : [];
    expect(await pendingChanges(source)).toEqual(expected);
    expect(await source.showMigrations()).toBe(false);
  });

  it('creates the same columns, defaults, primary key and indexes as synchronize', async () => {
    const migrated = await tableStructures(await migratedDatabase());
    const synchronized = await tableStructures(await emptyDatabase('synchronize'));
    expect(migrated.map((table) => table.name)).toEqual([...tableNames].sort());
    expect(migrated).toEqual(synchronized);
  });

  it('creates tables the services work with: unique prefix, defaults, JSON columns, millisecond timestamps', async () => {
    const source = await migratedDatabase();
    const { tokens, auditLog, close } = await createStandaloneKeysmith(source, { hasher: 'sha256', availableScopes: ['read', 'write'] });

    const { token, rawToken } = await tokens.create({ name: 'migrated', userId: 7, scopes: ['read', 'write'] });
    const authenticated = await tokens.authenticate(rawToken);
    expect(authenticated).toMatchObject({ id: token.id, tokenType: 'user', userId: '7', scopes: ['read', 'write'], revoked: false });
    expect(authenticated.createdAt.getTime()).toBe(token.createdAt.getTime());
    expect(authenticated.lastUsedAt).toBeInstanceOf(Date);

    const [table, key] = [source.driver.escape(tableNames[0]), source.driver.escape('key')];
    await source.query(
      `INSERT INTO ${table} (id, name, description, scopes, ${key}, prefix, created_at) ` +
        `VALUES ('00000000-0000-4000-8000-000000000001', 'bare', '', '[]', 'k', 'tok_defaults', '2026-01-01 00:00:00')`,
    );
    const bare = await source.getRepository(Token).findOneByOrFail({ prefix: 'tok_defaults' });
    expect(bare).toMatchObject({ tokenType: 'user', revoked: false, purged: false, expiresAt: null, lastUsedAt: null });

    const duplicate = source.getRepository(Token).insert({ ...token, id: '00000000-0000-4000-8000-000000000002' });
    await expect(duplicate).rejects.toThrow();

    const [created] = await auditLog.list({ tokenId: token.id, action: 'created' });
    expect(created).toMatchObject({ tokenId: token.id, action: 'created', extra: {}, statusCode: null });
    await close();
  });

  it('stores every timestamp as an instant: timestamptz on PostgreSQL, datetime elsewhere', async () => {
    const source = await migratedDatabase();
    expect(await timestampTypes(source)).toEqual(Array(9).fill(variant.database === 'postgres' ? 'timestamp with time zone' : 'datetime'));
  });

  it('reverts the timestamps to what 0.1.0 created, then drops both tables', async () => {
    const source = await migratedDatabase();
    for (let left = MIGRATION_NAMES.length - 1; left > 0; left--) await source.undoLastMigration();
    expect(await timestampTypes(source)).toEqual(
      Array(4).fill(variant.database === 'postgres' ? 'timestamp without time zone' : 'datetime'),
    );
    await source.undoLastMigration();
    expect(await existingTables(source)).toEqual([]);
    expect(await source.showMigrations()).toBe(true);
  });
});
