import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { JobClaims } from '../claims/job-claims.js';
import type { TokenAuditLog } from '../entities/token-audit-log.entity.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { KEYSMITH_AUDIT_LOG_REPOSITORY, LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { pruneAuditRows } from './prune-audit-rows.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The claim's name in `keysmith_claim`. */
const JOB = 'audit-retention';
/** How long a prune's claim lasts: of all instances, one prunes at most once in this time. */
export const AUDIT_RETENTION_INTERVAL_MS = 60 * 60 * 1000;
/** How often each instance asks for the claim. */
const CHECK_INTERVAL_MS = 10 * 60 * 1000;

/**
 * With `auditRetentionDays`, deletes older audit rows, at startup and then about every hour, on one
 * instance at a time: each instance asks for the claim every ten minutes, and the one that gets it
 * holds it for an hour, extending it while its prune runs. The prune deletes
 * 1,000 rows per statement by id, so that inserts of new rows never wait on it.
 */
@Injectable()
export class AuditRetention implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    @Inject(KEYSMITH_AUDIT_LOG_REPOSITORY) private readonly auditLogs: Repository<TokenAuditLog>,
    @Inject(KEYSMITH_OPTIONS) private readonly options: ResolvedKeysmithOptions,
    @Inject(JobClaims) private readonly claims: JobClaims,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.options.auditRetentionDays !== null) await this.claims.assertAvailable('auditRetentionDays');
  }

  onApplicationBootstrap(): void {
    if (this.options.auditRetentionDays !== null) this.schedule(0);
  }

  /** Stops between two batches of a prune that is running, and waits for it. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * Prunes now if this instance gets the claim: resolves with the rows deleted, or `null` when
   * another instance holds the claim (or there is no `auditRetentionDays`).
   */
  async run(): Promise<number | null> {
    const days = this.options.auditRetentionDays;
    if (days === null || !(await this.claims.claim(JOB, AUDIT_RETENTION_INTERVAL_MS))) return null;
    const olderThan = new Date(Date.now() - days * DAY_MS);
    let claimedAt = Date.now();
    // Extended once half of it has passed, so that a long prune keeps it.
    const stillHeld = async (): Promise<boolean> => {
      if (this.stopped) return false;
      if (Date.now() - claimedAt < AUDIT_RETENTION_INTERVAL_MS / 2) return true;
      claimedAt = Date.now();
      return this.claims.claim(JOB, AUDIT_RETENTION_INTERVAL_MS);
    };
    const deleted = await pruneAuditRows(this.auditLogs, olderThan, stillHeld);
    if (deleted > 0) this.logger.log(`Deleted ${deleted} audit row(s) older than ${days} days (auditRetentionDays).`);
    return deleted;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.run()
        .catch((error: unknown) => this.logger.error(`The audit retention prune failed: ${(error as Error).message}`))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(CHECK_INTERVAL_MS);
        });
    }, delayMs);
    // The prune alone never keeps a process alive.
    this.timer.unref();
  }
}
