import { In, MoreThan, type Repository } from 'typeorm';
import type { Token } from '../entities/token.entity.js';
import type { TokenFilter } from './token-service.interface.js';
import { whereTokenFilter } from './token-filter.js';

/** Tokens one `revokeMany()` batch revokes: one short transaction, so that no batch holds many rows for long. */
export const REVOKE_BATCH_SIZE = 500;

/** Tries of a batch that the database chose as a deadlock's victim. */
const DEADLOCK_TRIES = 3;

/**
 * Revokes the next batch of live (not revoked, not purged) tokens that match `filter`, by id after
 * `after`, and returns them. They are locked as they are read (not on SQLite, which writes one
 * transaction at a time), so each one is revoked, and later audited, by exactly one caller.
 */
export async function revokeBatch(tokens: Repository<Token>, filter: TokenFilter, after: string | null, now: Date): Promise<Token[]> {
  const type = tokens.manager.connection.driver.options.type;
  const locks = type === 'postgres' || type === 'mysql' || type === 'mariadb';
  for (let attempt = 1; ; attempt++) {
    try {
      const work = async (manager: typeof tokens.manager): Promise<Token[]> => {
        const repository = manager.withRepository(tokens);
        const query = repository.createQueryBuilder('token').where('token.revoked = :no AND token.purged = :no');
        whereTokenFilter(query, filter, now);
        // Conditions on the id as objects, so that they go through the column's transformer, if any.
        if (after !== null) query.andWhere({ id: MoreThan(after) });
        if (locks) query.setLock('pessimistic_write');
        const batch = await query.orderBy('token.id', 'ASC').limit(REVOKE_BATCH_SIZE).getMany();
        if (batch.length === 0) return batch;
        await repository
          .createQueryBuilder()
          .update()
          .set({ revoked: true })
          .where({ id: In(batch.map((token) => token.id)) })
          .execute();
        for (const token of batch) token.revoked = true;
        return batch;
      };
      // MySQL/MariaDB's REPEATABLE READ would also lock the gaps between the rows read.
      return await (type === 'mysql' || type === 'mariadb'
        ? tokens.manager.transaction('READ COMMITTED', work)
        : tokens.manager.transaction(work));
    } catch (error) {
      if (!isDeadlock(error) || attempt === DEADLOCK_TRIES) throw error;
    }
  }
}

/** Whether the database broke a deadlock by failing this transaction (PostgreSQL, MySQL/MariaDB). */
function isDeadlock(error: unknown): boolean {
  const cause = (error as { driverError?: unknown })?.driverError ?? error;
  const { code, errno } = (cause ?? {}) as { code?: unknown; errno?: unknown };
  return code === '40P01' || code === 'ER_LOCK_DEADLOCK' || errno === 1213;
}
