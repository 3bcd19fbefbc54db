import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { In, type Repository } from 'typeorm';
import type { Token } from '../entities/token.entity.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { KEYSMITH_TOKEN_REPOSITORY, LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';

// Uses that arrive together are written together, a moment later.
const WRITE_DELAY_MS = 1_000;

/**
 * Writes `lastUsedAt` at most once per token per `lastUsedIntervalSeconds`, in one UPDATE for all
 * tokens due, instead of once per request: a write per request costs a statement and, under load,
 * row locks that queue requests behind each other.
 */
@Injectable()
export class LastUsedWriter implements OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly due = new Map<string, Date>();
  private readonly lastNoted = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(KEYSMITH_TOKEN_REPOSITORY) private readonly tokens: Repository<Token>,
    @Inject(KEYSMITH_OPTIONS) private readonly options: ResolvedKeysmithOptions,
  ) {}

  /** Notes a use of the token at `at`; the database hears of it soon, or not if it heard recently. */
  noteUse(tokenId: string, at: Date): void {
    const noted = this.lastNoted.get(tokenId);
    if (noted !== undefined && at.getTime() - noted < this.options.lastUsedIntervalMs) return;
    this.lastNoted.set(tokenId, at.getTime());
    this.due.set(tokenId, at);
    this.timer ??= setTimeout(() => void this.flush(), WRITE_DELAY_MS).unref();
  }

  /** Forgets pending uses of a token whose `lastUsedAt` was just reset (by a rotation). */
  forget(tokenId: string): void {
    this.due.delete(tokenId);
    this.lastNoted.delete(tokenId);
  }

  /** Writes every use noted so far. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.forgetOlderThan(Date.now() - this.options.lastUsedIntervalMs);
    if (this.due.size === 0) return;
    const ids = [...this.due.keys()];
    const at = new Date(Math.max(...[...this.due.values()].map((date) => date.getTime())));
    this.due.clear();
    try {
      // The condition keeps a late batch from moving a newer timestamp backwards.
      await this.tokens
        .createQueryBuilder()
        .update()
        .set({ lastUsedAt: at })
        // As an object, so that the id goes through the column's transformer, if any.
        .where({ id: In(ids) })
        .andWhere('(last_used_at IS NULL OR last_used_at < :at)', { at })
        .execute();
    } catch (error) {
      this.logger.error(`Could not write lastUsedAt of ${ids.length} token(s): ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [tokenId, noted] of this.lastNoted) {
      if (noted < cutoff && !this.due.has(tokenId)) this.lastNoted.delete(tokenId);
    }
  }
}
