import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { KeysmithClaim } from '../entities/keysmith-claim.entity.js';
import { assertKeysmithColumns } from '../entities/assert-columns.js';
import { KeysmithConfigurationError } from '../errors/keysmith-configuration.error.js';
import { KEYSMITH_CLAIM_REPOSITORY } from '../keysmith.internal-constants.js';

/**
 * Jobs claimed in the database for a while, by one instance at a time: `claim()` is true for the
 * instance that holds the claim, whichever it is of several that ask.
 */
@Injectable()
export class JobClaims {
  /** This instance, as the claims it holds name it. */
  readonly holder = randomUUID();

  constructor(@Inject(KEYSMITH_CLAIM_REPOSITORY) private readonly claims: Repository<KeysmithClaim>) {}

  /** Refuses, at startup, a data source that does not know the `KeysmithClaim` entity, naming what needs it, or whose table lacks a column. */
  async assertAvailable(neededBy: string): Promise<void> {
    if (!this.claims.manager.connection.hasMetadata(KeysmithClaim)) {
      throw new KeysmithConfigurationError(
        neededBy,
        'it needs the KeysmithClaim entity (table keysmith_claim): use autoLoadEntities, or list KEYSMITH_ENTITIES in the ' +
          'DataSource, and run KEYSMITH_MIGRATIONS.',
      );
    }
    await assertKeysmithColumns(this.claims.manager.connection, [KeysmithClaim]);
  }

  /**
   * Claims the job `name` for `forMs` from now, unless another instance holds an unexpired claim
   * on it; true if this instance holds it now (a claim it held is extended).
   */
  async claim(name: string, forMs: number): Promise<boolean> {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + forMs);
    if (await this.insertClaim(name, expiresAt)) return true;
    const taken = await this.claims
      .createQueryBuilder()
      .update()
      .set({ holder: this.holder, expiresAt })
      .where('name = :name', { name })
      .andWhere('(expires_at <= :now OR holder = :holder)', { now, holder: this.holder })
      .execute();
    return taken.affected === 1;
  }

  /** Inserts the claim unless a row for the job exists; true if this call inserted it. */
  private async insertClaim(name: string, expiresAt: Date): Promise<boolean> {
    const [sql, parameters] = this.claims
      .createQueryBuilder()
      .insert()
      .values({ name, holder: this.holder, expiresAt })
      .orIgnore()
      .getQueryAndParameters();
    const queryRunner = this.claims.manager.connection.createQueryRunner();
    try {
      const result = await queryRunner.query(sql, parameters, true);
      return result.affected === 1;
    } finally {
      await queryRunner.release();
    }
  }
}
