import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { databaseFamily, tableName, tablePath } from './keysmith-tables.js';
import { djangoKeysmithTableAdvice, isDjangoKeysmithTable } from '../interop/django-keysmith-tables.js';

/** Column types as the driver maps the types the entities declare. */
interface ColumnTypes {
  uuid: string;
  integer: string;
  timestamp: string;
  boolean: string;
  json: string;
  false: string;
}

/**
 * Creates `keysmith_token` and `keysmith_token_audit_log` exactly as the 0.1.0 `Token` and
 * `TokenAuditLog` entities described them on PostgreSQL, MySQL, MariaDB and SQLite: the same
 * column types, nullability, defaults, primary keys and indexes (names from the data source's
 * naming strategy, tables prefixed with its `entityPrefix`). After `KeysmithTimestampsInUtc`,
 * TypeORM finds nothing left to change. `down` drops both tables.
 */
export class CreateKeysmithTables1795737600000 implements MigrationInterface {
  /** Set explicitly so that a minifier renaming the class cannot change the recorded migration. */
  readonly name = 'CreateKeysmithTables1795737600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const tokenTable = tablePath(queryRunner, 'keysmith_token');
    if (await isDjangoKeysmithTable(queryRunner, tokenTable)) {
      throw new Error(`The nestjs-keysmith migrations cannot run here: ${djangoKeysmithTableAdvice(tokenTable)}`);
    }
    const types = columnTypes(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: tableName(queryRunner, 'keysmith_token_audit_log'),
        columns: [
          { name: 'id', type: types.uuid, isPrimary: true },
          { name: 'token_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'action', type: 'varchar', length: '32' },
          { name: 'path', type: 'varchar', length: '1024', isNullable: true },
          { name: 'method', type: 'varchar', length: '16', isNullable: true },
          { name: 'status_code', type: types.integer, isNullable: true },
          { name: 'ip_address', type: 'varchar', length: '45', isNullable: true },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
          { name: 'extra', type: types.json },
          timestamp(types, 'created_at', false),
        ],
        indices: [{ columnNames: ['action'] }, { columnNames: ['created_at'] }, { columnNames: ['token_id', 'created_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: tableName(queryRunner, 'keysmith_token'),
        columns: [
          { name: 'id', type: types.uuid, isPrimary: true },
          { name: 'name', type: 'varchar', length: '128' },
          { name: 'description', type: 'text' },
          { name: 'token_type', type: 'varchar', length: '16', default: "'user'" },
          { name: 'user_id', type: 'varchar', length: '255', isNullable: true },
          { name: 'created_by_id', type: 'varchar', length: '255', isNullable: true },
          { name: 'scopes', type: types.json },
          { name: 'key', type: 'varchar', length: '255' },
          { name: 'prefix', type: 'varchar', length: '64' },
          timestamp(types, 'created_at', false),
          timestamp(types, 'expires_at', true),
          timestamp(types, 'last_used_at', true),
          { name: 'revoked', type: types.boolean, default: types.false },
          { name: 'purged', type: types.boolean, default: types.false },
        ],
        indices: [{ columnNames: ['user_id'] }, { columnNames: ['prefix'], isUnique: true }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(tableName(queryRunner, 'keysmith_token'));
    await queryRunner.dropTable(tableName(queryRunner, 'keysmith_token_audit_log'));
  }
}

function columnTypes(queryRunner: QueryRunner): ColumnTypes {
  const { driver } = queryRunner.connection;
  const family = databaseFamily(queryRunner);
  return {
    uuid: driver.normalizeType({ type: 'uuid' }),
    integer: driver.normalizeType({ type: 'int' }),
    timestamp: driver.normalizeType({ type: Date }),
    boolean: driver.normalizeType({ type: Boolean }),
    json: driver.normalizeType({ type: 'simple-json' }),
    false: family === 'postgres' ? 'false' : '0',
  };
}

function timestamp(types: ColumnTypes, name: string, isNullable: boolean): TableColumnOptions {
  return { name, type: types.timestamp, precision: 3, isNullable };
}
