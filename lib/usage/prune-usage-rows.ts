import { setImmediate } from 'node:timers/promises';
import { LessThan, LessThanOrEqual, type Repository } from 'typeorm';
import type { TokenUsage } from '../entities/token-usage.entity.js';
import { PRUNE_BATCH_SIZE, SQLITE_PRUNE_BATCH_SIZE } from '../audit/prune-audit-rows.js';

/**
 * Deletes the usage minutes before `olderThan`, oldest first, and returns how many rows it
 * deleted: each DELETE takes the minutes up to that of the batch size's oldest row (found through
 * the `minute_at` index), so a batch holds that many rows and those of other tokens in its last
 * minute. `goOn`, asked before each batch after the first, stops the prune when it answers false.
 */
export async function pruneUsageRows(usage: Repository<TokenUsage>, olderThan: Date, goOn: () => Promise<boolean>): Promise<number> {
  const batchSize = usage.manager.connection.driver.options.type === 'better-sqlite3' ? SQLITE_PRUNE_BATCH_SIZE : PRUNE_BATCH_SIZE;
  let deleted = 0;
  for (;;) {
    const [last] = await usage.find({
      select: { minuteAt: true },
      where: { minuteAt: LessThan(olderThan) },
      order: { minuteAt: 'ASC' },
      skip: batchSize - 1,
      take: 1,
    });
    const result = await usage.delete({ minuteAt: last ? LessThanOrEqual(last.minuteAt) : LessThan(olderThan) });
    deleted += result.affected ?? 0;
    if (!last || !(await goOn())) return deleted;
    // A synchronous driver (better-sqlite3) would otherwise hold the event loop for the whole prune.
    await setImmediate();
  }
}
