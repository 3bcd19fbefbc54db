import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { JobClaims } from './job-claims.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a prune's claim lasts: of all instances, one prunes at most once in this time. */
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
/** How often each instance asks for the claim. */
const CHECK_INTERVAL_MS = 10 * 60 * 1000;

/** What a retention keeps: its option, its claim in `keysmith_claim`, the rows it deletes. */
export interface RetentionJob {
  /** The option, such as `auditRetentionDays`; its value `null` turns the job off. */
  option: string;
  days: number | null;
  /** The claim's name in `keysmith_claim`, such as `audit-retention`; its words name the job in the log. */
  claim: string;
  /** What the rows are, for the log (`audit row(s)`). */
  rows: string;
  /** Deletes rows older than `olderThan` a batch at a time, asking `goOn` between batches; resolves with how many. */
  prune(olderThan: Date, goOn: () => Promise<boolean>): Promise<number>;
}

/**
 * Deletes rows older than a number of days, at startup and then about every hour, on one
 * instance at a time: each instance asks for the claim every ten minutes, and the one that gets
 * it holds it for an hour, extending it while its prune runs.
 */
export abstract class ClaimedRetention implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly logger = new Logger(LOGGER_CONTEXT);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly claims: JobClaims) {}

  protected abstract readonly job: RetentionJob;

  async onModuleInit(): Promise<void> {
    if (this.job.days !== null) await this.claims.assertAvailable(this.job.option);
  }

  onApplicationBootstrap(): void {
    if (this.job.days !== null) this.schedule(0);
  }

  /** Stops between two batches of a prune that is running, and waits for it. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * Prunes now if this instance gets the claim: resolves with the rows deleted, or `null` when
   * another instance holds the claim (or the option is not set).
   */
  async run(): Promise<number | null> {
    const { days, claim, option, rows } = this.job;
    if (days === null || !(await this.claims.claim(claim, RETENTION_INTERVAL_MS))) return null;
    const olderThan = new Date(Date.now() - days * DAY_MS);
    let claimedAt = Date.now();
    // Extended once half of it has passed, so that a long prune keeps it.
    const stillHeld = async (): Promise<boolean> => {
      if (this.stopped) return false;
      if (Date.now() - claimedAt < RETENTION_INTERVAL_MS / 2) return true;
      claimedAt = Date.now();
      return this.claims.claim(claim, RETENTION_INTERVAL_MS);
    };
    const deleted = await this.job.prune(olderThan, stillHeld);
    if (deleted > 0) this.logger.log(`Deleted ${deleted} ${rows} older than ${days} days (${option}).`);
    return deleted;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.run()
        .catch((error: unknown) => this.logger.error(`The ${this.job.claim.replace('-', ' ')} prune failed: ${(error as Error).message}`))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(CHECK_INTERVAL_MS);
        });
    }, delayMs);
    // The prune alone never keeps a process alive.
    this.timer.unref();
  }
}
