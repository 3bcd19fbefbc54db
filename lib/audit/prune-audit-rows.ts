import { setImmediate } from 'node:timers/promises';
import { In, LessThan, type Repository } from 'typeorm';
import type { TokenAuditLog } from '../entities/token-audit-log.entity.js';

/** Rows one DELETE removes: each statement locks few rows, briefly. */
export const PRUNE_BATCH_SIZE = 1_000;
/** On SQLite, whose driver holds the event loop while it writes, a batch short enough not to delay requests. */
export const SQLITE_PRUNE_BATCH_SIZE = 100;

/**
 * Deletes the audit rows created before `olderThan`, oldest first, a batch at a time by id (found
 * through the `created_at` index), and returns how many it deleted. `goOn`, asked before
 * each batch after the first, stops the prune when it answers false.
 */
export async function pruneAuditRows(
  auditLogs: Repository<TokenAuditLog>,
  olderThan: Date,
  goOn: () => Promise<boolean> = () => Promise.resolve(true),
): Promise<number> {
  const batchSize = auditLogs.manager.connection.driver.options.type === 'better-sqlite3' ? SQLITE_PRUNE_BATCH_SIZE : PRUNE_BATCH_SIZE;
  let deleted = 0;
  for (;;) {
    const batch = await auditLogs.find({
      select: { id: true },
      where: { createdAt: LessThan(olderThan) },
      order: { createdAt: 'ASC' },
      take: batchSize,
    });
    if (batch.length > 0) {
      const result = await auditLogs.delete({ id: In(batch.map((row) => row.id)) });
      deleted += result.affected ?? batch.length;
    }
    if (batch.length < batchSize || !(await goOn())) return deleted;
    // A synchronous driver (better-sqlite3) would otherwise hold the event loop for the whole prune.
    await setImmediate();
  }
}
