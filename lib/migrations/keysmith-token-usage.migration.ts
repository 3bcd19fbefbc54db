import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { databaseFamily, tableName } from './keysmith-tables.js';

/**
 * Adds the `keysmith_token_usage` table: requests per token, minute and outcome, whose primary key
 * `(token_id, minute_at, outcome)` lets every instance add its counts to one row, and an index on
 * `minute_at` for `usageRetentionDays`. Tokens and audit rows are left as they are; `down` drops
 * the table.
 */
export class KeysmithTokenUsage1797638400000 implements MigrationInterface {
  /** Set explicitly so that a minifier renaming the class cannot change the recorded migration. */
  readonly name = 'KeysmithTokenUsage1797638400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { driver } = queryRunner.connection;
    const timestamp = databaseFamily(queryRunner) === 'postgres' ? 'timestamp with time zone' : driver.normalizeType({ type: Date });
    await queryRunner.createTable(
      new Table({
        name: tableName(queryRunner, 'keysmith_token_usage'),
        columns: [
          { name: 'token_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'minute_at', type: timestamp, precision: 3, isPrimary: true },
          { name: 'outcome', type: 'varchar', length: '32', isPrimary: true },
          { name: 'count', type: driver.normalizeType({ type: 'int' }) },
        ],
        indices: [new TableIndex({ columnNames: ['minute_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(tableName(queryRunner, 'keysmith_token_usage'));
  }
}
