import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { MoreThanOrEqual, type FindOptionsWhere, type Repository } from 'typeorm';
import { TokenAuditLog, type TokenAuditAction } from '../entities/token-audit-log.entity.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { KEYSMITH_AUDIT_LOG_REPOSITORY, LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../keysmith.options.js';
import type { RawResponse } from '../utils/get-request.js';
import { requestMetadata, type RequestMetadata } from '../utils/request-metadata.js';

/** What happened, to whom: the part of an audit row that is not read from the request. */
export interface AuditEntry {
  action: TokenAuditAction;
  tokenId: string | null;
  extra?: Record<string, unknown>;
}

export interface ListAuditLogsInput {
  tokenId?: string;
  action?: TokenAuditAction;
  /** Rows created at or after this moment. */
  since?: Date;
  /** Default 100. */
  limit?: number;
}

/**
 * Writes the audit log. A row that cannot be written never fails the action or the request that
 * caused it: the failure is logged instead.
 */
@Injectable()
export class AuditLogService implements OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly pending = new Set<Promise<void>>();

  constructor(
    @Inject(KEYSMITH_AUDIT_LOG_REPOSITORY) private readonly auditLogs: Repository<TokenAuditLog>,
    @Inject(KEYSMITH_OPTIONS) private readonly options: ResolvedKeysmithOptions,
  ) {}

  /** Writes a row now; `request`, when given, supplies path, method, client IP and user agent. */
  record(entry: AuditEntry, request?: unknown): Promise<void> {
    if (!this.options.auditLogging) return Promise.resolve();
    return this.track(this.write(entry, requestMetadata(request), null, new Date()));
  }

  /** Writes a row once the response has been sent, so that it holds the final status code. */
  recordOnResponse(entry: AuditEntry, request: unknown, response: RawResponse | undefined): void {
    if (!this.options.auditLogging) return;
    const metadata = requestMetadata(request);
    const createdAt = new Date();
    if (!response) {
      void this.track(this.write(entry, metadata, null, createdAt));
      return;
    }
    const sent = new Promise<void>((resolve) => response.once('close', resolve));
    void this.track(sent.then(() => this.write(entry, metadata, response.statusCode, createdAt)));
  }

  /** Resolves once every row recorded so far is written (or its failure logged). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** Newest first. */
  list(input: ListAuditLogsInput = {}): Promise<TokenAuditLog[]> {
    const where: FindOptionsWhere<TokenAuditLog> = {};
    if (input.tokenId !== undefined) where.tokenId = input.tokenId;
    if (input.action !== undefined) where.action = input.action;
    if (input.since !== undefined) where.createdAt = MoreThanOrEqual(input.since);
    return this.auditLogs.find({ where, order: { createdAt: 'DESC' }, take: input.limit ?? 100 });
  }

  private track(write: Promise<void>): Promise<void> {
    this.pending.add(write);
    return write.finally(() => this.pending.delete(write));
  }

  private async write(
    entry: AuditEntry,
    metadata: RequestMetadata,
    statusCode: number | null,
    createdAt: Date,
  ): Promise<void> {
    try {
      await this.auditLogs.insert(
        this.auditLogs.create({
        id: randomUUID(),
        tokenId: entry.tokenId,
        action: entry.action,
        ...metadata,
        statusCode,
        extra: entry.extra ?? {},
        createdAt,
        }),
      );
    } catch (error) {
      this.logger.error(
        `Could not write the audit row "${entry.action}" of token ${entry.tokenId ?? '(none)'}: ${(error as Error).message}`,
      );
    }
  }
}
