import { TokenQuotas } from './limits/token-quotas.js';
import { TokenUsageCounter } from './usage/token-usage-counter.js';
import { TokenUsage } from './entities/token-usage.entity.js';
import type { DataSource, ObjectLiteral, Repository } from 'typeorm';
import { TokenAuthenticator } from './auth/token-authenticator.js';
import { CacheInvalidationService } from './cache/cache-invalidation.service.js';
import { VerificationCache } from './cache/verification-cache.js';
import { KeysmithRedis } from './redis/keysmith-redis.js';
import { KeysmithEventEmitter } from './events/keysmith-event-emitter.js';
import { assertKeysmithColumns } from './entities/assert-columns.js';
import { assertInstantSafe } from './entities/assert-instant-safe.js';
import { keysmithEntityMetadata } from './entities/entity-metadata.js';
import { TokenAuditLog } from './entities/token-audit-log.entity.js';
import { Token } from './entities/token.entity.js';
import { KeysmithConfigurationError } from './errors/keysmith-configuration.error.js';
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
   * down has not taken within 5 s are reported lost. Call it before the process ends. Bound to
   * these services: it may be destructured.
   */
  close: () => Promise<void>;
}

/**
 * The services of `createStandaloneKeysmith`, with where the notice goes that a change reaches no
 * other instance (the log by default; the command line prints it).
 */
export async function standaloneKeysmith(
  dataSource: DataSource,
  options: KeysmithModuleOptions,
  sayLocalOnly?: (message: string) => void,
): Promise<StandaloneKeysmith> {
  // The running applications' cache TTL, which the notice names; this process caches nothing.
  const application = resolveKeysmithOptions(options);
  const resolved = { ...application, cacheTtlMs: 0 };
  assertInstantSafe(dataSource);
  await assertKeysmithColumns(dataSource, [Token, TokenAuditLog, TokenUsage]);
  const tokenRepository = repositoryOf<Token>(dataSource, Token);
  const cache = new VerificationCache(resolved.cacheTtlMs, resolved.cacheMaxEntries);
  const auditLog = new AuditLogService(repositoryOf<TokenAuditLog>(dataSource, TokenAuditLog), resolved);
  const lastUsed = new LastUsedWriter(tokenRepository, resolved);
  const redis = new KeysmithRedis(application);
  const invalidation = new CacheInvalidationService(application, cache, redis);
  if (sayLocalOnly) invalidation.sayLocalOnlyChangesWith(sayLocalOnly);
  await invalidation.onModuleInit();
  const failedAttempts = new FailedAttemptsThrottle(resolved.failedAttemptsLimit, resolved.failedAttemptsWindowMs);
  const authenticator = new TokenAuthenticator(resolved, tokenRepository, cache, failedAttempts, lastUsed);
  const events = new KeysmithEventEmitter();
  const quotas = new TokenQuotas(resolved, redis, tokenRepository, events);
  const tokens = new TokenService(
    tokenRepository,
    resolved,
    auditLog,
    invalidation,
    lastUsed,
    authenticator,
    events,
    quotas,
    new TokenUsageCounter(repositoryOf<TokenUsage>(dataSource, TokenUsage)),
  );
  return {
    tokens,
    auditLog,
    close: async () => {
      await Promise.all([auditLog.onApplicationShutdown(), lastUsed.flush()]);
      await invalidation.onApplicationShutdown();
      await redis.onApplicationShutdown();
    },
  };
}

/** The repository of a keysmith entity, also where the data source lists the classes of the package's other build. */
function repositoryOf<Entity extends ObjectLiteral>(dataSource: DataSource, entity: abstract new () => Entity): Repository<Entity> {
  const metadata = keysmithEntityMetadata(dataSource, entity);
  if (!metadata) {
    throw new KeysmithConfigurationError(
      'dataSource',
      `it does not list the ${entity.name} entity of nestjs-keysmith; add KEYSMITH_ENTITIES (from nestjs-keysmith or nestjs-keysmith/typeorm) to its entities.`,
    );
  }
  return dataSource.getRepository<Entity>(metadata.target);
}
