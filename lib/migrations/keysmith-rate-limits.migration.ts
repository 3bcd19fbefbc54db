import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { tableName } from './keysmith-tables.js';

/**
 * Adds `rate_limit` to `keysmith_token`: a token's own `{ limit, windowSeconds }`, none for every
 * token already there (they follow `defaultRateLimit`, as before it none). `down` drops it.
 */
export class KeysmithRateLimits1797465600000 implements MigrationInterface {
  /** Set explicitly so that a minifier renaming the class cannot change the recorded migration. */
  readonly name = 'KeysmithRateLimits1797465600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const type = queryRunner.connection.driver.normalizeType({ type: 'simple-json' });
    await queryRunner.addColumn(tableName(queryRunner, 'keysmith_token'), new TableColumn({ name: 'rate_limit', type, isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn(tableName(queryRunner, 'keysmith_token'), 'rate_limit');
  }
}
