import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { databaseFamily, tableName } from './keysmith-tables.js';

/** The columns this migration adds to `keysmith_token`, in the order the `Token` entity declares them. */
const ADDED_COLUMNS = ['disabled', 'metadata', 'allowed_ips', 'previous_key', 'previous_secret_expires_at'];

/**
 * Adds what key policies need to `keysmith_token`: `disabled` (false for every token already
 * there), `metadata` and `allowed_ips` (none), and `previous_key` with
 * `previous_secret_expires_at` for rotations with a grace period (none). Tokens keep working as
 * they did. `down` drops the five columns.
 */
export class KeysmithKeyPolicy1797292800000 implements MigrationInterface {
  /** Set explicitly so that a minifier renaming the class cannot change the recorded migration. */
  readonly name = 'KeysmithKeyPolicy1797292800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { driver } = queryRunner.connection;
    const postgres = databaseFamily(queryRunner) === 'postgres';
    const json = driver.normalizeType({ type: 'simple-json' });
    await queryRunner.addColumns(tableName(queryRunner, 'keysmith_token'), [
      new TableColumn({
        name: 'disabled',
        type: driver.normalizeType({ type: Boolean }),
        default: postgres ? 'false' : '0',
      }),
      new TableColumn({ name: 'metadata', type: json, isNullable: true }),
      new TableColumn({ name: 'allowed_ips', type: json, isNullable: true }),
      new TableColumn({ name: 'previous_key', type: 'varchar', length: '255', isNullable: true }),
      new TableColumn({
        name: 'previous_secret_expires_at',
        type: postgres ? 'timestamp with time zone' : driver.normalizeType({ type: Date }),
        precision: 3,
        isNullable: true,
      }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const table = tableName(queryRunner, 'keysmith_token');
    await queryRunner.dropColumns(table, ADDED_COLUMNS);
  }
}
