import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { databaseFamily, tableName } from './keysmith-tables.js';

const ADDED_COLUMNS = ['quota_remaining', 'quota_refill', 'quota_refilled_at'];

/**
 * Adds a token's quota to `keysmith_token`: `quota_remaining`, `quota_refill` and
 * `quota_refilled_at`, none for every token already there (no quota, as before). `down` drops them.
 */
export class KeysmithQuotas1797552000000 implements MigrationInterface {
  /** Set explicitly so that a minifier renaming the class cannot change the recorded migration. */
  readonly name = 'KeysmithQuotas1797552000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { driver } = queryRunner.connection;
    const postgres = databaseFamily(queryRunner) === 'postgres';
    await queryRunner.addColumns(tableName(queryRunner, 'keysmith_token'), [
      new TableColumn({ name: 'quota_remaining', type: driver.normalizeType({ type: 'integer' }), isNullable: true }),
      new TableColumn({ name: 'quota_refill', type: driver.normalizeType({ type: 'simple-json' }), isNullable: true }),
      new TableColumn({
        name: 'quota_refilled_at',
        type: postgres ? 'timestamp with time zone' : driver.normalizeType({ type: Date }),
        precision: 3,
        isNullable: true,
      }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns(tableName(queryRunner, 'keysmith_token'), ADDED_COLUMNS);
  }
}
