import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { databaseFamily, tableName } from './keysmith-tables.js';

/**
 * Adds what the expiry warnings and the leak endpoint need: the `keysmith_token_notice` table,
 * whose primary key `(token_id, notice)` lets exactly one instance claim each notice, and an index
 * on `keysmith_token.expires_at` for the expiry scan. Tokens and audit rows are left as they are.
 * `down` drops both.
 */
export class KeysmithTokenNotices1797206400000 implements MigrationInterface {
  /** Set explicitly so that a minifier renaming the class cannot change the recorded migration. */
  readonly name = 'KeysmithTokenNotices1797206400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { driver } = queryRunner.connection;
    const timestamp = databaseFamily(queryRunner) === 'postgres' ? 'timestamp with time zone' : driver.normalizeType({ type: Date });
    await queryRunner.createTable(
      new Table({
        name: tableName(queryRunner, 'keysmith_token_notice'),
        columns: [
          { name: 'token_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'notice', type: 'varchar', length: '100', isPrimary: true },
          { name: 'created_at', type: timestamp, precision: 3 },
        ],
      }),
    );
    await queryRunner.createIndex(tableName(queryRunner, 'keysmith_token'), new TableIndex({ columnNames: ['expires_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const tokens = await queryRunner.getTable(tableName(queryRunner, 'keysmith_token'));
    const expiryIndex = tokens?.indices.find((index) => index.columnNames.length === 1 && index.columnNames[0] === 'expires_at');
    if (tokens && expiryIndex) await queryRunner.dropIndex(tokens, expiryIndex);
    await queryRunner.dropTable(tableName(queryRunner, 'keysmith_token_notice'));
  }
}
