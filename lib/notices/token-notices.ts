import { Inject, Injectable } from '@nestjs/common';
import { In, type Repository } from 'typeorm';
import { TokenNotice } from '../entities/token-notice.entity.js';
import { assertKeysmithColumns } from '../entities/assert-columns.js';
import { KeysmithConfigurationError } from '../errors/keysmith-configuration.error.js';
import { KEYSMITH_NOTICE_REPOSITORY } from '../keysmith.internal-constants.js';

/** Largest `IN (...)` list a lookup sends at once: well under every supported database's parameter limit. */
const LOOKUP_CHUNK = 500;

/**
 * Notices sent about tokens, claimed in the database: `claim()` is true for exactly one caller,
 * whichever instance it runs in, so a notice goes out once however many instances look for it.
 */
@Injectable()
export class TokenNotices {
  constructor(@Inject(KEYSMITH_NOTICE_REPOSITORY) private readonly notices: Repository<TokenNotice>) {}

  /** Refuses, at startup, a data source that does not know the `TokenNotice` entity, naming what needs it, or whose table lacks a column. */
  async assertAvailable(neededBy: string): Promise<void> {
    if (!this.notices.manager.connection.hasMetadata(TokenNotice)) {
      throw new KeysmithConfigurationError(
        neededBy,
        'it needs the TokenNotice entity (table keysmith_token_notice): use autoLoadEntities, or list KEYSMITH_ENTITIES in the ' +
          'DataSource, and run KEYSMITH_MIGRATIONS.',
      );
    }
    await assertKeysmithColumns(this.notices.manager.connection, [TokenNotice]);
  }

  /** Records the notice; true if this call recorded it, false if it was recorded before. */
  async claim(tokenId: string, notice: string): Promise<boolean> {
    const [sql, parameters] = this.notices
      .createQueryBuilder()
      .insert()
      .values({ tokenId, notice, createdAt: new Date() })
      .orIgnore()
      .getQueryAndParameters();
    const queryRunner = this.notices.manager.connection.createQueryRunner();
    try {
      const result = await queryRunner.query(sql, parameters, true);
      return result.affected === 1;
    } finally {
      await queryRunner.release();
    }
  }

  /** The notices already recorded for these tokens, as `<token id> <notice>`. */
  async recorded(tokenIds: readonly string[]): Promise<Set<string>> {
    const keys = new Set<string>();
    for (let start = 0; start < tokenIds.length; start += LOOKUP_CHUNK) {
      const rows = await this.notices.find({ where: { tokenId: In(tokenIds.slice(start, start + LOOKUP_CHUNK)) } });
      for (const row of rows) keys.add(noticeKey(row.tokenId, row.notice));
    }
    return keys;
  }
}

export function noticeKey(tokenId: string, notice: string): string {
  return `${tokenId} ${notice}`;
}
