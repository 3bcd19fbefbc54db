import type { DataSource } from 'typeorm';
import { TokenAuthenticator } from './auth/token-authenticator.js';
import { CacheInvalidationService } from './cache/cache-invalidation.service.js';
import { VerificationCache } from './cache/verification-cache.js';
import { KeysmithEventEmitter } from './events/keysmith-event-emitter.js';
import { assertInstantSafe } from './entities/assert-instant-safe.js';
import { TokenAuditLog } from './entities/token-audit-log.entity.js';
import { Token } from './entities/token.entity.js';
import type { KeysmithModuleOptions } from './options/keysmith-options.interface.js';
import { FailedAttemptsThrottle } from './throttling/failed-attempts-throttle.js';
import { resolveKeysmithOptions } from './options/keysmith.options.js';
import { AuditLogService } from './audit/audit-log.service.js';
import { LastUsedWriter } from './tokens/last-used-writer.service.js';
import { TokenService } from './tokens/token.service.js';

export interface StandaloneKeysmith {
  tokens: TokenService;
  auditLog: AuditLogService;
  /**
   * Writes what is still buffered (audit rows, `lastUsedAt`); audit rows that a database that is
   * down has not taken within 5 s are reported lost. Call it before the process ends.
   */
  close(): Promise<void>;
}

/**
 * `TokenService` and `AuditLogService` on an initialized data source, without a NestJS
 * application: for scripts, jobs and command lines. The verification cache is off; with the
 * `redis` option, rotations and revocations still reach the caches of running applications.
 */
export async function createStandaloneKeysmith(dataSource: DataSource, options: KeysmithModuleOptions = {}): Promise<StandaloneKeysmith> {
  const resolved = resolveKeysmithOptions({ ...options, cacheTtlSeconds: 0 });
  assertInstantSafe(dataSource);
  const tokenRepository = dataSource.getRepository(Token);
  const cache = new VerificationCache(resolved.cacheTtlMs, resolved.cacheMaxEntries);
  const auditLog = new AuditLogService(dataSource.getRepository(TokenAuditLog), resolved);
  const lastUsed = new LastUsedWriter(tokenRepository, resolved);
  const invalidation = new CacheInvalidationService(resolved, cache);
  await invalidation.onModuleInit();
  const failedAttempts = new FailedAttemptsThrottle(resolved.failedAttemptsLimit, resolved.failedAttemptsWindowMs);
  const authenticator = new TokenAuthenticator(resolved, tokenRepository, cache, failedAttempts, lastUsed);
  const tokens = new TokenService(tokenRepository, resolved, auditLog, invalidation, lastUsed, authenticator, new KeysmithEventEmitter());
  return {
    tokens,
    auditLog,
    close: async () => {
      await Promise.all([auditLog.onApplicationShutdown(), lastUsed.flush()]);
      await invalidation.onApplicationShutdown();
    },
  };
}
