import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { And, LessThan, MoreThanOrEqual, type FindManyOptions, type FindOptionsWhere, type Repository } from 'typeorm';
import { TokenAuditLog, type TokenAuditAction } from '../entities/token-audit-log.entity.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { KEYSMITH_AUDIT_LOG_REPOSITORY, LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import type { RawResponse } from '../request/get-request.js';
import { requestMetadata } from '../request/request-metadata.js';
import { AuditWriter } from './audit-writer.js';
import { pruneAuditRows } from './prune-audit-rows.js';
import { DEFAULT_LIST_LIMIT, checkPage } from '../listing/page.js';
import { KeysmithValidationError } from '../errors/keysmith-validation.error.js';
import { TokenUsageCounter } from '../usage/token-usage-counter.js';

/** What happened, to whom: the part of an audit row that is not read from the request. */
export interface AuditEntry {
  action: TokenAuditAction;
  tokenId: string | null;
  extra?: Record<string, unknown>;
}

export interface ListAuditLogsInput {
  tokenId?: string;
  action?: TokenAuditAction;
  /** The final response status code of request rows. */
  statusCode?: number;
  /** Rows created at or after this moment. */
  since?: Date;
  /** Rows created before this moment. */
  until?: Date;
  /** Default 100. */
  limit?: number;
  offset?: number;
}

/** One page of `AuditLogService.listPage()`. */
export interface AuditLogPage {
  items: TokenAuditLog[];
  /** Rows matching the filters, on every page. */
  total: number;
}

/**
 * Writes the audit log. Rows of lifecycle actions are written before the action returns; rows of
 * requests are buffered and written in multi-row INSERTs, when a batch is full or every
 * `auditFlushIntervalMs`, and on shutdown. While the database is down, rows are held (up to
 * `auditMaxBuffered`) and written once it is back. A row that cannot be written never fails the
 * action or the request that caused it: the failure is logged instead, with the number of rows lost.
 */
@Injectable()
export class AuditLogService implements OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  /** Rows waiting for their response to close, and `flush()` calls waiting for those. */
  private awaitingResponse = 0;
  private responsesClosed: Array<() => void> = [];
  private readonly writer: AuditWriter;

  constructor(
    @Inject(KEYSMITH_AUDIT_LOG_REPOSITORY) private readonly auditLogs: Repository<TokenAuditLog>,
    @Inject(KEYSMITH_OPTIONS) private readonly options: ResolvedKeysmithOptions,
    /** Counts each request of a known token, whatever is audited; none where no request is served (the command line). */
    @Optional() @Inject(TokenUsageCounter) private readonly usage?: TokenUsageCounter,
  ) {
    this.writer = new AuditWriter(auditLogs, options, this.logger);
  }

  /**
   * Whether a guarded request may be served: false only with `auditOnFailure: 'refuse'`, from the
   * moment the buffer is full until the database has taken half of it.
   */
  get accepting(): boolean {
    return this.writer.accepting;
  }

  /**
   * Writes a row now, or holds it with the buffered rows if the database does not take it;
   * `request`, when given, supplies path, method, client IP and user agent.
   */
  async record(entry: AuditEntry, request?: unknown): Promise<void> {
    await this.recordMany([entry], request);
  }

  /** Like `record()` for several rows of one request, written in one INSERT. */
  async recordMany(entries: readonly AuditEntry[], request?: unknown): Promise<void> {
    if (!this.options.auditLogging || entries.length === 0) return;
    await this.writer.writeNow(entries.map((entry) => this.row(entry, request)));
  }

  /**
   * Records a guarded request's outcome: counts it in the token's usage (a refusal by its
   * `error_code`), and buffers its row for when the response has been sent, so that it holds the
   * final status code; with `auditRequests: 'failures'`, a success gets no row.
   */
  recordOnResponse(entry: AuditEntry, request: unknown, response: RawResponse | undefined): void {
    if (entry.tokenId !== null)
      this.usage?.count(entry.tokenId, entry.action === 'auth_success' ? 'success' : String(entry.extra?.error_code));
    if (!this.options.auditLogging || (entry.action === 'auth_success' && this.options.auditRequests === 'failures')) return;
    const row = this.row(entry, request);
    if (!response) return this.writer.hold(row);
    this.awaitingResponse++;
    response.on('close', () => {
      row.statusCode = response.statusCode;
      this.writer.hold(row);
      if (--this.awaitingResponse === 0) this.wakeFlushes();
    });
  }

  /**
   * Resolves once every row recorded so far is written (or reported lost); while the database is
   * down, after 5 s at most, the rows not written staying held.
   */
  async flush(): Promise<void> {
    await this.responsesClose();
    await this.writer.flush();
  }

  /** Flushes, then reports what the database did not take as lost. */
  async onApplicationShutdown(): Promise<void> {
    await this.responsesClose();
    await this.writer.close();
  }

  /** Newest first. */
  async list(input: ListAuditLogsInput = {}): Promise<TokenAuditLog[]> {
    return this.auditLogs.find(this.findOptions(input));
  }

  /** One page of `list()` and the number of rows matching the filters on every page. */
  async listPage(input: ListAuditLogsInput = {}): Promise<AuditLogPage> {
    const [items, total] = await this.auditLogs.findAndCount(this.findOptions(input));
    return { items, total };
  }

  /**
   * Deletes the rows created before `olderThan` and resolves with how many: 1,000 per statement,
   * oldest first, so that writes of new rows go on meanwhile. `auditRetentionDays` runs it on a
   * schedule; the command line's `keysmith audit prune` runs it once.
   */
  prune(olderThan: Date): Promise<number> {
    if (!(olderThan instanceof Date) || Number.isNaN(olderThan.getTime())) {
      return Promise.reject(new KeysmithValidationError('olderThan must be a valid Date.', 'olderThan'));
    }
    return pruneAuditRows(this.auditLogs, olderThan);
  }

  private findOptions(input: ListAuditLogsInput): FindManyOptions<TokenAuditLog> {
    checkPage(input.limit, input.offset);
    if (input.since !== undefined && input.until !== undefined && input.until <= input.since) {
      throw new KeysmithValidationError(
        `until (${input.until.toISOString()}) must be later than since (${input.since.toISOString()}).`,
        'until',
      );
    }
    const where: FindOptionsWhere<TokenAuditLog> = {};
    if (input.tokenId !== undefined) where.tokenId = input.tokenId;
    if (input.action !== undefined) where.action = input.action;
    if (input.statusCode !== undefined) where.statusCode = input.statusCode;
    if (input.since !== undefined && input.until !== undefined) where.createdAt = And(MoreThanOrEqual(input.since), LessThan(input.until));
    else if (input.since !== undefined) where.createdAt = MoreThanOrEqual(input.since);
    else if (input.until !== undefined) where.createdAt = LessThan(input.until);
    return { where, order: { createdAt: 'DESC', id: 'DESC' }, take: input.limit ?? DEFAULT_LIST_LIMIT, skip: input.offset ?? 0 };
  }

  /** A row without its status code: `recordOnResponse` adds it once the response is sent. */
  private row(entry: AuditEntry, request: unknown): TokenAuditLog {
    const row = new TokenAuditLog();
    const { path, method, ipAddress, userAgent } = requestMetadata(request);
    row.id = randomUUID();
    row.tokenId = entry.tokenId;
    row.action = entry.action;
    row.path = path;
    row.method = method;
    row.statusCode = null;
    row.ipAddress = ipAddress;
    row.userAgent = userAgent;
    row.extra = entry.extra ?? {};
    row.createdAt = new Date();
    return row;
  }

  private async responsesClose(): Promise<void> {
    if (this.awaitingResponse > 0) await new Promise<void>((resolve) => this.responsesClosed.push(resolve));
  }

  private wakeFlushes(): void {
    const waiting = this.responsesClosed;
    this.responsesClosed = [];
    for (const resolve of waiting) resolve();
  }
}
