import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { And, LessThan, MoreThanOrEqual, type FindManyOptions, type FindOptionsWhere, type Repository } from 'typeorm';
import { TokenAuditLog, type TokenAuditAction } from '../entities/token-audit-log.entity.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { KEYSMITH_AUDIT_LOG_REPOSITORY, LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import type { RawResponse } from '../request/get-request.js';
import { insertRows } from './insert-rows.js';
import { requestMetadata } from '../request/request-metadata.js';

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

/** Waits before the second and third try of a failed batch. */
const RETRY_DELAYS_MS = [100, 1_000];

/**
 * Writes the audit log. Rows of lifecycle actions are written before the action returns; rows of
 * requests are buffered and written in multi-row INSERTs, when a batch is full or every
 * `auditFlushIntervalMs`, and on shutdown. A row that cannot be written never fails the action or
 * the request that caused it: the failure is logged instead, with the number of rows lost.
 */
@Injectable()
export class AuditLogService implements OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  /** Rows waiting for their response to close, and `flush()` calls waiting for those. */
  private awaitingResponse = 0;
  private responsesClosed: Array<() => void> = [];
  private readonly writing = new Set<Promise<void>>();
  private buffer: TokenAuditLog[] = [];
  private overflowed = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(KEYSMITH_AUDIT_LOG_REPOSITORY) private readonly auditLogs: Repository<TokenAuditLog>,
    @Inject(KEYSMITH_OPTIONS) private readonly options: ResolvedKeysmithOptions,
  ) {}

  /** Writes a row now; `request`, when given, supplies path, method, client IP and user agent. */
  async record(entry: AuditEntry, request?: unknown): Promise<void> {
    if (!this.options.auditLogging) return;
    await this.write([this.row(entry, request)]);
  }

  /** Buffers a row for when the response has been sent, so that it holds the final status code. */
  recordOnResponse(entry: AuditEntry, request: unknown, response: RawResponse | undefined): void {
    if (!this.options.auditLogging) return;
    const row = this.row(entry, request);
    if (!response) return this.enqueue(row);
    this.awaitingResponse++;
    response.on('close', () => {
      row.statusCode = response.statusCode;
      this.enqueue(row);
      if (--this.awaitingResponse === 0) this.wakeFlushes();
    });
  }

  /** Resolves once every row recorded so far is written (or reported lost). */
  async flush(): Promise<void> {
    if (this.awaitingResponse > 0) await new Promise<void>((resolve) => this.responsesClosed.push(resolve));
    this.writeBuffer();
    while (this.writing.size > 0) await Promise.all(this.writing);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Newest first. */
  list(input: ListAuditLogsInput = {}): Promise<TokenAuditLog[]> {
    return this.auditLogs.find(this.findOptions(input));
  }

  /** One page of `list()` and the number of rows matching the filters on every page. */
  async listPage(input: ListAuditLogsInput = {}): Promise<AuditLogPage> {
    const [items, total] = await this.auditLogs.findAndCount(this.findOptions(input));
    return { items, total };
  }

  private findOptions(input: ListAuditLogsInput): FindManyOptions<TokenAuditLog> {
    const where: FindOptionsWhere<TokenAuditLog> = {};
    if (input.tokenId !== undefined) where.tokenId = input.tokenId;
    if (input.action !== undefined) where.action = input.action;
    if (input.statusCode !== undefined) where.statusCode = input.statusCode;
    if (input.since !== undefined && input.until !== undefined) where.createdAt = And(MoreThanOrEqual(input.since), LessThan(input.until));
    else if (input.since !== undefined) where.createdAt = MoreThanOrEqual(input.since);
    else if (input.until !== undefined) where.createdAt = LessThan(input.until);
    return { where, order: { createdAt: 'DESC', id: 'DESC' }, take: input.limit ?? 100, skip: input.offset ?? 0 };
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

  private wakeFlushes(): void {
    const waiting = this.responsesClosed;
    this.responsesClosed = [];
    for (const resolve of waiting) resolve();
  }

  private enqueue(row: TokenAuditLog): void {
    if (this.buffer.length >= this.options.auditMaxBuffered) {
      this.overflowed++;
      return;
    }
    this.buffer.push(row);
    if (this.buffer.length >= this.options.auditBatchSize) this.writeBuffer();
    else this.timer ??= setTimeout(() => this.writeBuffer(), this.options.auditFlushIntervalMs).unref();
  }

  /** Starts writing everything buffered, one batch after another. */
  private writeBuffer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.overflowed > 0) {
      this.logger.error(`The audit buffer was full (auditMaxBuffered ${this.options.auditMaxBuffered}): lost ${this.overflowed} row(s).`);
      this.overflowed = 0;
    }
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.auditBatchSize);
      const writing = this.write(batch);
      this.writing.add(writing);
      void writing.finally(() => this.writing.delete(writing));
    }
  }

  /** Writes rows, trying again twice; never throws. */
  private async write(rows: TokenAuditLog[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await insertRows(this.auditLogs, rows);
        return;
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined) {
          const actions = [...new Set(rows.map((row) => row.action))].join(', ');
          this.logger.error(`Could not write audit rows (${actions}): lost ${rows.length} row(s). ${(error as Error).message}`);
          return;
        }
        await sleep(delay);
      }
    }
  }
}
