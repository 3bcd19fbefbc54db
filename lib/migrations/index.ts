import { CreateKeysmithTables1795737600000 } from './create-keysmith-tables.migration.js';
import { KeysmithTimestampsInUtc1795996800000 } from './keysmith-timestamps-in-utc.migration.js';
import { KeysmithTokenNotices1797206400000 } from './keysmith-token-notices.migration.js';
import { KeysmithKeyPolicy1797292800000 } from './keysmith-key-policy.migration.js';
import { KeysmithClaims1797379200000 } from './keysmith-claims.migration.js';
import { KeysmithRateLimits1797465600000 } from './keysmith-rate-limits.migration.js';
import { KeysmithQuotas1797552000000 } from './keysmith-quotas.migration.js';
import { KeysmithTokenUsage1797638400000 } from './keysmith-token-usage.migration.js';

export * from './create-keysmith-tables.migration.js';
export * from './keysmith-timestamps-in-utc.migration.js';
export * from './keysmith-token-notices.migration.js';
export * from './keysmith-key-policy.migration.js';
export * from './keysmith-claims.migration.js';
export * from './keysmith-rate-limits.migration.js';
export * from './keysmith-quotas.migration.js';
export * from './keysmith-token-usage.migration.js';

/**
 * The migrations that create the nestjs-keysmith tables, in order: add them to the `migrations`
 * of the application's DataSource (`migrations: [...KEYSMITH_MIGRATIONS, ...yours]`).
 */
export const KEYSMITH_MIGRATIONS = [
  CreateKeysmithTables1795737600000,
  KeysmithTimestampsInUtc1795996800000,
  KeysmithTokenNotices1797206400000,
  KeysmithKeyPolicy1797292800000,
  KeysmithClaims1797379200000,
  KeysmithRateLimits1797465600000,
  KeysmithQuotas1797552000000,
  KeysmithTokenUsage1797638400000,
];
