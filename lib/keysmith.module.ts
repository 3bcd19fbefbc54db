import { Module, type DynamicModule } from '@nestjs/common';
import { KeysmithGuard } from './auth/keysmith.guard.js';
import { TokenAuthenticator } from './auth/token-authenticator.js';
import { KEYSMITH_OPTIONS } from './keysmith.constants.js';
import { KEYSMITH_FAILED_ATTEMPTS, KEYSMITH_MODULE_OPTIONS } from './keysmith.internal-constants.js';
import { ConfigurableKeysmithModule, type KeysmithModuleForRootOptions } from './keysmith.module-definition.js';
import { resolveKeysmithOptions, type ResolvedKeysmithOptions } from './options/keysmith.options.js';
import { CacheInvalidationService } from './cache/cache-invalidation.service.js';
import { VerificationCache } from './cache/verification-cache.js';
import { LastUsedWriter } from './tokens/last-used-writer.service.js';
import { FailedAttemptsThrottle, type FailedAttempts } from './throttling/failed-attempts-throttle.js';
import { SharedFailedAttempts } from './throttling/shared-failed-attempts.js';
import { KeysmithRedis } from './redis/keysmith-redis.js';
import { AuditLogService } from './audit/audit-log.service.js';
import { TokenService } from './tokens/token.service.js';
import { TokenConnections } from './connections/token-connections.js';
import { KeysmithEventEmitter } from './events/keysmith-event-emitter.js';
import { ExpiryWarningScanner } from './notices/expiry-warning-scanner.js';
import { TokenNotices } from './notices/token-notices.js';
import { JobClaims } from './claims/job-claims.js';
import { AuditRetention } from './audit/audit-retention.js';
import { TokenRateLimiter } from './limits/token-rate-limiter.js';
import { TokenQuotas } from './limits/token-quotas.js';
import { TokenUsageCounter } from './usage/token-usage-counter.js';
import { UsageRetention } from './usage/usage-retention.js';

/**
 * API tokens for a NestJS application on TypeORM.
 *
 * `KeysmithModule.forRoot(options)` or `KeysmithModule.forRootAsync({ imports, inject, useFactory })`;
 * beside the options (or the factory), `isGlobal` (default `true`) and `dataSource`.
 */
@Module({
  providers: [
    { provide: KEYSMITH_OPTIONS, useFactory: resolveKeysmithOptions, inject: [KEYSMITH_MODULE_OPTIONS] },
    {
      provide: VerificationCache,
      useFactory: (options: ResolvedKeysmithOptions) =>
        new VerificationCache(options.cacheTtlMs, options.cacheMaxEntries, options.redis ? options.cacheTtlMsWithoutRedis : null),
      inject: [KEYSMITH_OPTIONS],
    },
    KeysmithRedis,
    {
      provide: KEYSMITH_FAILED_ATTEMPTS,
      useFactory: (options: ResolvedKeysmithOptions, redis: KeysmithRedis): FailedAttempts =>
        options.redis
          ? new SharedFailedAttempts(redis, options)
          : new FailedAttemptsThrottle(options.failedAttemptsLimit, options.failedAttemptsWindowMs),
      inject: [KEYSMITH_OPTIONS, KeysmithRedis],
    },
    CacheInvalidationService,
    LastUsedWriter,
    AuditLogService,
    TokenAuthenticator,
    KeysmithEventEmitter,
    TokenNotices,
    ExpiryWarningScanner,
    JobClaims,
    AuditRetention,
    TokenService,
    TokenConnections,
    TokenRateLimiter,
    TokenQuotas,
    TokenUsageCounter,
    UsageRetention,
    KeysmithGuard,
  ],
  exports: [
    KEYSMITH_OPTIONS,
    AuditLogService,
    TokenAuthenticator,
    TokenService,
    KeysmithGuard,
    TokenNotices,
    ExpiryWarningScanner,
    KeysmithEventEmitter,
    AuditRetention,
    TokenRateLimiter,
    TokenQuotas,
    UsageRetention,
  ],
})
export class KeysmithModule extends ConfigurableKeysmithModule {
  /** Every option is optional, so `KeysmithModule.forRoot()` alone takes the defaults. */
  static override forRoot(options: KeysmithModuleForRootOptions = {}): DynamicModule {
    return super.forRoot(options);
  }
}
