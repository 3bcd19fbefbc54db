import { Inject, Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { ClaimedRetention, RETENTION_INTERVAL_MS, type RetentionJob } from '../claims/claimed-retention.js';
import { JobClaims } from '../claims/job-claims.js';
import type { TokenAuditLog } from '../entities/token-audit-log.entity.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { KEYSMITH_AUDIT_LOG_REPOSITORY } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { pruneAuditRows } from './prune-audit-rows.js';

/** How long a prune's claim lasts: of all instances, one prunes at most once in this time. */
export const AUDIT_RETENTION_INTERVAL_MS = RETENTION_INTERVAL_MS;

/**
 * With `auditRetentionDays`, deletes older audit rows, at startup and then about every hour, on one
 * instance at a time (see `ClaimedRetention`). The prune deletes 1,000 rows per statement by id,
 * so that inserts of new rows never wait on it.
 */
@Injectable()
export class AuditRetention extends ClaimedRetention {
  protected readonly job: RetentionJob;

  constructor(
    @Inject(KEYSMITH_AUDIT_LOG_REPOSITORY) auditLogs: Repository<TokenAuditLog>,
    @Inject(KEYSMITH_OPTIONS) options: ResolvedKeysmithOptions,
    @Inject(JobClaims) claims: JobClaims,
  ) {
    super(claims);
    this.job = {
      option: 'auditRetentionDays',
      days: options.auditRetentionDays,
      claim: 'audit-retention',
      rows: 'audit row(s)',
      prune: (olderThan, goOn) => pruneAuditRows(auditLogs, olderThan, goOn),
    };
  }
}
