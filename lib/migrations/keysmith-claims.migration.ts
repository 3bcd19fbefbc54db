import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { databaseFamily, tableName } from './keysmith-tables.js';

/**
 * Adds the `keysmith_claim` table, in which one instance at a time claims a job (the audit
 * retention's prune). Tokens and audit rows are left as they are; `down` drops the table.
 */
export class KeysmithClaims1797379200000 implements MigrationInterface {
  /** Set explicitly so that a minifier renaming the class cannot change the recorded migration. */
  readonly name = 'KeysmithClaims1797379200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { driver } = queryRunner.connection;
    const timestamp = databaseFamily(queryRunner) === 'postgres' ? 'timestamp with time zone' : driver.normalizeType({ type: Date });
    await queryRunner.createTable(
      new Table({
        name: tableName(queryRunner, 'keysmith_claim'),
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'holder', type: 'varchar', length: '64' },
          { name: 'expires_at', type: timestamp, precision: 3 },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(tableName(queryRunner, 'keysmith_claim'));
  }
}
