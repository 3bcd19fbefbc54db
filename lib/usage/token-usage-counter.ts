import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { And, LessThan, MoreThanOrEqual, type Repository } from 'typeorm';
import { TokenUsage } from '../entities/token-usage.entity.js';
import { KEYSMITH_USAGE_REPOSITORY, LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import { upsertUsage } from './upsert-usage.js';
import { usageRange, usageReport, type TokenUsageReport, type UsageInput } from './usage-report.js';

/** How often the counts are written to `keysmith_token_usage`: a crash loses at most this much. */
export const USAGE_WRITE_INTERVAL_MS = 5_000;
/** Rows one INSERT writes. */
const UPSERT_BATCH_SIZE = 500;
const MINUTE_MS = 60_000;

/** `success`, or the `error_code` of a refusal. */
export type UsageOutcome = string;

/**
 * Counts each token's requests per minute and outcome in memory and adds them to
 * `keysmith_token_usage` every `USAGE_WRITE_INTERVAL_MS` and at shutdown, in one INSERT per 500
 * rows whatever the number of requests. Counts the database does not take are kept for the next
 * write. Reads a token's usage in buckets.
 */
@Injectable()
export class TokenUsageCounter implements OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  /** Counts not yet written, by token id, minute start and outcome. */
  private pending = new Map<string, TokenUsage>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failing = false;

  constructor(@Inject(KEYSMITH_USAGE_REPOSITORY) private readonly usage: Repository<TokenUsage>) {}

  /** Counts one request of the token, now. */
  count(tokenId: string, outcome: UsageOutcome): void {
    const minuteMs = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    // Most requests add to a row held already: no row is built for them.
    const held = this.pending.get(pendingKey(tokenId, minuteMs, outcome));
    if (held) held.count++;
    else this.add(usageRow(tokenId, new Date(minuteMs), outcome, 1));
  }

  /** Writes the counts held so far, after any write already running. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.writing.then(() => this.writePending());
    return this.writing;
  }

  /**
   * The token's requests in the range, in buckets, added up in JavaScript from its minute rows
   * (the same on every database, whatever its date functions); this instance's counts are written first.
   */
  async read(tokenId: string, input: UsageInput): Promise<TokenUsageReport> {
    const range = usageRange(input);
    await this.flush();
    const rows = await this.usage.find({
      where: { tokenId, minuteAt: And(MoreThanOrEqual(range.since), LessThan(range.until)) },
    });
    return usageReport(tokenId, range, rows);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
    const lost = [...this.pending.values()].reduce((sum, row) => sum + row.count, 0);
    if (lost > 0) this.logger.error(`The database did not take the usage counts held before shutdown: lost ${lost} request(s).`);
    this.pending.clear();
  }

  private async writePending(): Promise<void> {
    const rows = [...this.pending.values()];
    this.pending = new Map();
    for (let start = 0; start < rows.length; start += UPSERT_BATCH_SIZE) {
      const batch = rows.slice(start, start + UPSERT_BATCH_SIZE);
      try {
        await upsertUsage(this.usage, batch);
      } catch (error) {
        for (const row of rows.slice(start)) this.add(row);
        if (!this.failing) this.logger.error(`Could not write token usage, keeping it for the next write: ${(error as Error).message}`);
        this.failing = true;
        return;
      }
    }
    this.failing = false;
  }

  /** Adds a count to those held (a request, or counts the database did not take), and schedules their write. */
  private add(row: TokenUsage): void {
    const key = pendingKey(row.tokenId, row.minuteAt.getTime(), row.outcome);
    const held = this.pending.get(key);
    if (held) held.count += row.count;
    else this.pending.set(key, row);
    this.timer ??= setTimeout(() => void this.flush(), USAGE_WRITE_INTERVAL_MS).unref();
  }
}

const pendingKey = (tokenId: string, minuteMs: number, outcome: UsageOutcome) => `${tokenId} ${minuteMs} ${outcome}`;

function usageRow(tokenId: string, minuteAt: Date, outcome: string, count: number): TokenUsage {
  const row = new TokenUsage();
  row.tokenId = tokenId;
  row.minuteAt = minuteAt;
  row.outcome = outcome;
  row.count = count;
  return row;
}
