import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Token } from '../entities/token.entity.js';
import { KeysmithEventEmitter } from '../events/keysmith-event-emitter.js';
import { KEYSMITH_EVENTS } from '../events/keysmith-events.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { RedisClientLike } from '../options/keysmith-options.interface.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { KeysmithRedis } from '../redis/keysmith-redis.js';
import { tokenView } from '../tokens/token-view.js';
import type { RateLimit } from './rate-limit.js';
import { RedisOutage, isReady } from './redis-outage.js';
import {
  ProcessRateLimitCounter,
  RedisRateLimitCounter,
  type RateLimitCount,
  type RateLimitCounter,
  type RedisScriptClient,
} from './rate-limit-counter.js';

/**
 * What a token's rate limit decided for one request: let through or refused, with the figures of
 * its window for the `RateLimit-*` headers; or, while Redis does not answer, what
 * `limitsOnRedisError` says, with no figures.
 */
export type RateLimitDecision =
  | { allowed: boolean; reason: 'token_rate_limit'; window: RateLimitWindow }
  | { allowed: boolean; reason: 'limits_unavailable'; window: null };

/** The `RateLimit-*` figures of a window, in whole seconds. */
export interface RateLimitWindow {
  limit: number;
  remaining: number;
  /** Seconds until the window ends (at least 1 while it runs). */
  resetSeconds: number;
}

/**
 * Counts the guarded requests of each token that has a rate limit (its own, else
 * `defaultRateLimit`), by token id: with `redis`, in Redis with one script per request, so every
 * instance counts into one window; without it, in this process.
 */
@Injectable()
export class TokenRateLimiter implements OnApplicationBootstrap {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private counter: RateLimitCounter = new ProcessRateLimitCounter();
  private redis: RedisScriptClient | null = null;
  private readonly outage: RedisOutage;

  constructor(
    @Inject(KEYSMITH_OPTIONS) private readonly options: ResolvedKeysmithOptions,
    @Inject(KeysmithRedis) private readonly keysmithRedis: KeysmithRedis,
    @Inject(KeysmithEventEmitter) private readonly events: KeysmithEventEmitter,
  ) {
    this.outage = new RedisOutage(this.logger, options.limitsOnRedisError, "a rate limit's count");
  }

  /** Takes the Redis connection the module opened at startup. */
  onApplicationBootstrap(): void {
    const client = this.keysmithRedis.connected;
    if (!client) return;
    if (typeof (client as Partial<RedisClientLike>).eval !== 'function') {
      this.logger.warn('The redis client has no eval method: rate limits are counted in each process, not across instances.');
      return;
    }
    this.redis = client;
    this.counter = new RedisRateLimitCounter(this.redis);
  }

  /** The token's rate limit: its own, else `defaultRateLimit`; `null` when it has none. */
  limitOf(token: Token): RateLimit | null {
    return token.rateLimit ?? this.options.defaultRateLimit;
  }

  /** Counts one request of `token` against `rateLimit` (`limitOf(token)`) and decides. Never throws. */
  async check(token: Token, rateLimit: RateLimit): Promise<RateLimitDecision> {
    let count: RateLimitCount;
    try {
      if (this.redis && !isReady(this.redis)) throw new Error('the connection is not ready');
      count = await this.counter.count(windowKey(token.id, rateLimit), rateLimit);
    } catch (error) {
      return { allowed: this.outage.failed(error), reason: 'limits_unavailable', window: null };
    }
    this.outage.answered();
    const allowed = count.count <= count.limit;
    // The first refusal of a window, counted once however many instances share it.
    if (count.count === count.limit + 1) this.announce(token, rateLimit, count.resetMs);
    const window = {
      limit: count.limit,
      remaining: Math.max(0, count.limit - count.count),
      resetSeconds: Math.max(1, Math.ceil(count.resetMs / 1_000)),
    };
    return { allowed, reason: 'token_rate_limit', window };
  }

  private announce(token: Token, { limit, windowSeconds }: RateLimit, resetMs: number): void {
    this.events.emit(KEYSMITH_EVENTS.rateLimited, {
      token: tokenView(token),
      actorId: null,
      source: null,
      limit,
      windowSeconds,
      resetAt: new Date(Date.now() + resetMs),
    });
  }
}

/** The window's key: a changed limit or window starts a window of its own. */
const windowKey = (tokenId: string, { limit, windowSeconds }: RateLimit) => `keysmith:rate:${tokenId}:${limit}/${windowSeconds}`;
