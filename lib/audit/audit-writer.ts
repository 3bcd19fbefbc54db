import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@nestjs/common';
import type { Repository } from 'typeorm';
import type { TokenAuditLog } from '../entities/token-audit-log.entity.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { insertRows } from './insert-rows.js';

/** The wait before a batch is tried again doubles from the first to the last, each shortened by up to half at random. */
const RETRY_FIRST_MS = 100;
const RETRY_LAST_MS = 2_000;
/** Tries of a batch that a database answering other queries refuses (a missing table, say) before its rows are reported lost. */
const REFUSED_BATCH_TRIES = 3;
/** How long `flush()` waits for a database that does not take rows. */
export const FLUSH_WAIT_MS = 5_000;

type AuditWriterOptions = Pick<ResolvedKeysmithOptions, 'auditBatchSize' | 'auditFlushIntervalMs' | 'auditMaxBuffered' | 'auditOnFailure'>;

/**
 * Holds audit rows in order and writes them in batches, one batch at a time. A batch that the
 * database does not take stays at the head of the line and is tried again, with backoff, until the
 * database is back: rows are lost only past `auditMaxBuffered` (the rows held, the batch being
 * tried included), to a batch that a reachable database keeps refusing, or at shutdown.
 */
export class AuditWriter {
  /** Rows not yet written, oldest first; the batch being tried is their head. */
  private held: TokenAuditLog[] = [];
  /** Rows ever held, and rows since written or reported lost: the place of a row in the line. */
  private received = 0;
  private settled = 0;
  /** Rows up to this place are written without waiting for a full batch (the interval passed, or a flush). */
  private due = 0;
  private overflowed = 0;
  private refusing = false;
  private unavailableSince: number | undefined;
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private settledWaiters: Array<() => void> = [];
  private readonly stopped = new AbortController();

  constructor(
    private readonly auditLogs: Repository<TokenAuditLog>,
    private readonly options: AuditWriterOptions,
    private readonly logger: Logger,
  ) {}

  /** False while `auditOnFailure` is `'refuse'` and the buffer is full, until it is down to half. */
  get accepting(): boolean {
    return !this.refusing;
  }

  /** Writes rows at once, in one INSERT; if the database does not take them, holds them with the others. */
  async writeNow(rows: TokenAuditLog[]): Promise<void> {
    try {
      await insertRows(this.auditLogs, rows);
    } catch {
      for (const row of rows) this.hold(row);
    }
  }

  /** Holds a row until its batch is written. */
  hold(row: TokenAuditLog): void {
    const { auditMaxBuffered, auditBatchSize } = this.options;
    if (this.held.length >= auditMaxBuffered && !this.keptPastTheBound(row)) {
      this.overflowed++;
      return;
    }
    this.held.push(row);
    this.received++;
    if (this.options.auditOnFailure === 'refuse' && !this.refusing && this.held.length >= auditMaxBuffered) {
      this.refusing = true;
      this.logger.error(
        `The audit buffer is full (auditMaxBuffered ${auditMaxBuffered}): guarded requests get 503 until the database has taken half of it (auditOnFailure 'refuse').`,
      );
    }
    if (this.held.length >= auditBatchSize) this.startWriting();
    else this.writeWhenDue();
  }

  /**
   * Resolves once every row held so far is written or reported lost, or after `FLUSH_WAIT_MS`
   * without the database taking them (they stay held).
   */
  async flush(): Promise<void> {
    const target = this.received;
    this.due = target;
    this.startWriting();
    await this.settledUpTo(target);
    this.reportOverflow();
  }

  /** Flushes, then stops trying and reports what is still held as lost. */
  async close(): Promise<void> {
    await this.flush();
    this.stopped.abort();
    clearTimeout(this.timer);
    if (this.held.length === 0) return;
    this.logger.error(
      `The database did not take the audit rows held before shutdown within ${FLUSH_WAIT_MS / 1_000} s: lost ${this.held.length} row(s).`,
    );
    this.settled += this.held.length;
    this.held = [];
  }

  /**
   * With `'refuse'` the guard lets no request through while the buffer is full, so the rows still
   * coming are those of requests it let through before and of lifecycle actions already done:
   * they are kept. Refusals' rows are not.
   */
  private keptPastTheBound(row: TokenAuditLog): boolean {
    return this.options.auditOnFailure === 'refuse' && row.action !== 'auth_failed';
  }

  private writeWhenDue(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.due = this.received;
      this.startWriting();
    }, this.options.auditFlushIntervalMs).unref();
  }

  private startWriting(): void {
    if (this.writing || this.held.length === 0 || this.stopped.signal.aborted) return;
    this.writing = this.writeHeld().finally(() => {
      this.writing = undefined;
      if (this.held.length > 0 && !this.stopped.signal.aborted) this.writeWhenDue();
    });
  }

  /** Writes full batches, and partial ones up to `due`; tries a failed batch again until it is written. */
  private async writeHeld(): Promise<void> {
    const { auditBatchSize } = this.options;
    let failures = 0;
    let refusals = 0;
    while (this.held.length >= auditBatchSize || (this.held.length > 0 && this.settled < this.due)) {
      this.reportOverflow();
      const batch = this.held.slice(0, auditBatchSize);
      let failure: unknown;
      try {
        await insertRows(this.auditLogs, batch);
      } catch (error) {
        failure = error;
      }
      if (this.stopped.signal.aborted) return;
      if (failure === undefined) {
        this.noteAvailable();
        this.settle(batch.length);
        failures = refusals = 0;
        continue;
      }
      if (!(await this.databaseAnswers())) {
        this.noteUnavailable(failure);
      } else if (++refusals === REFUSED_BATCH_TRIES) {
        const actions = [...new Set(batch.map((row) => row.action))].join(', ');
        this.logger.error(`Could not write audit rows (${actions}): lost ${batch.length} row(s). ${(failure as Error)?.message}`);
        this.settle(batch.length);
        failures = refusals = 0;
        continue;
      }
      await this.pause(++failures);
    }
  }

  /** Tells a database that is down from one that refuses this batch. */
  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.auditLogs.manager.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private async pause(failures: number): Promise<void> {
    const wait = Math.min(RETRY_FIRST_MS * 2 ** (failures - 1), RETRY_LAST_MS);
    await sleep(wait / 2 + (Math.random() * wait) / 2, undefined, { ref: false, signal: this.stopped.signal }).catch(() => undefined);
  }

  private settle(count: number): void {
    this.held.splice(0, count);
    this.settled += count;
    if (this.refusing && this.held.length <= this.options.auditMaxBuffered / 2) {
      this.refusing = false;
      this.logger.log('The audit buffer has room again: guarded requests are served again.');
    }
    const waiting = this.settledWaiters;
    this.settledWaiters = [];
    for (const wake of waiting) wake();
  }

  /** Waits until every row up to `target` is settled, at most `FLUSH_WAIT_MS`. */
  private async settledUpTo(target: number): Promise<void> {
    const deadline = performance.now() + FLUSH_WAIT_MS;
    while (this.settled < target) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      const timeout = new AbortController();
      const settledMore = new Promise<void>((resolve) => this.settledWaiters.push(resolve));
      await Promise.race([settledMore, sleep(left, undefined, { signal: timeout.signal }).catch(() => undefined)]);
      timeout.abort();
    }
  }

  private noteUnavailable(error: unknown): void {
    if (this.unavailableSince !== undefined) return;
    this.unavailableSince = performance.now();
    this.logger.warn(
      `The database does not take audit rows (${(error as Error)?.message}): holding them, up to auditMaxBuffered ${this.options.auditMaxBuffered}, and trying again.`,
    );
  }

  private noteAvailable(): void {
    if (this.unavailableSince === undefined) return;
    const seconds = ((performance.now() - this.unavailableSince) / 1_000).toFixed(1);
    this.unavailableSince = undefined;
    this.logger.log(`The database takes audit rows again after ${seconds} s; writing the ${this.held.length} row(s) held.`);
  }

  private reportOverflow(): void {
    if (this.overflowed === 0) return;
    this.logger.error(`The audit buffer was full (auditMaxBuffered ${this.options.auditMaxBuffered}): lost ${this.overflowed} row(s).`);
    this.overflowed = 0;
  }
}
