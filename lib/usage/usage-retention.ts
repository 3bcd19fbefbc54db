import { Inject, Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { ClaimedRetention, type RetentionJob } from '../claims/claimed-retention.js';
import { JobClaims } from '../claims/job-claims.js';
import type { TokenUsage } from '../entities/token-usage.entity.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { KEYSMITH_USAGE_REPOSITORY } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { pruneUsageRows } from './prune-usage-rows.js';

/** With `usageRetentionDays`, deletes older usage minutes about every hour, on one instance at a time (see `ClaimedRetention`). */
@Injectable()
export class UsageRetention extends ClaimedRetention {
  protected readonly job: RetentionJob;

  constructor(
    @Inject(KEYSMITH_USAGE_REPOSITORY) usage: Repository<TokenUsage>,
    @Inject(KEYSMITH_OPTIONS) options: ResolvedKeysmithOptions,
    @Inject(JobClaims) claims: JobClaims,
  ) {
    super(claims);
    this.job = {
      option: 'usageRetentionDays',
      days: options.usageRetentionDays,
      claim: 'usage-retention',
      rows: 'usage row(s)',
      prune: (olderThan, goOn) => pruneUsageRows(usage, olderThan, goOn),
    };
  }
}
