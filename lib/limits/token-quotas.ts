import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Repository } from 'typeorm';
import type { Token } from '../entities/token.entity.js';
import { KeysmithEventEmitter } from '../events/keysmith-event-emitter.js';
import { KEYSMITH_EVENTS } from '../events/keysmith-events.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { KEYSMITH_TOKEN_REPOSITORY, LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { KeysmithRedis } from '../redis/keysmith-redis.js';
import { tokenView } from '../tokens/token-view.js';
import type { Quota } from './quota.js';
import { TAKE_SCRIPT, refilled, type QuotaState, type QuotaTake } from './quota-counter.js';
import type { RedisScriptClient } from './rate-limit-counter.js';
import { RedisOutage, isReady } from './redis-outage.js';

/** How often the figures taken are written to `keysmith_token.quota_remaining`. */
export const QUOTA_WRITE_INTERVAL_MS = 1_000;

// A quota untouched this long leaves Redis; it starts again from the database, written meanwhile.
const REDIS_KEEP_MS = 7 * 24 * 60 * 60 * 1_000;

/** What a quota decided for one request; `remaining` is `null` while Redis does not answer. */
export interface QuotaDecision {
  allowed: boolean;
  reason: 'quota_exhausted' | 'limits_unavailable';
  remaining: number | null;
}

interface RedisQuotaClient extends RedisScriptClient {
  hmget(key: string, ...fields: string[]): Promise<Array<string | null>>;
}

/**
 * Takes each guarded request's cost from its token's quota: with `redis`, in Redis with one script
 * per request, so instances share one figure that never goes below zero; without it, in this
 * process. The figures taken are written to the database every second and at shutdown, only
 * ever lower within a refill period.
 */
@Injectable()
export class TokenQuotas implements OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly states = new Map<string, QuotaState>();
  private readonly unwritten = new Map<string, QuotaState>();
  private readonly outage: RedisOutage;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(KEYSMITH_OPTIONS) options: ResolvedKeysmithOptions,
    @Inject(KeysmithRedis) private readonly keysmithRedis: KeysmithRedis,
    @Inject(KEYSMITH_TOKEN_REPOSITORY) private readonly tokens: Repository<Token>,
    @Inject(KeysmithEventEmitter) private readonly events: KeysmithEventEmitter,
  ) {
    this.outage = new RedisOutage(this.logger, options.limitsOnRedisError, "a quota's count");
  }

  /** Takes `cost` from the token's quota. Never throws. */
  async take(token: Token, cost: number): Promise<QuotaDecision> {
    let take: QuotaTake;
    try {
      take = await this.takeFrom(token, cost);
    } catch (error) {
      return { allowed: this.outage.failed(error), reason: 'limits_unavailable', remaining: null };
    }
    this.outage.answered();
    this.noteUnwritten(token.id, take);
    if (take.taken) this.announceIfLow(token, cost, take);
    return { allowed: take.taken, reason: 'quota_exhausted', remaining: take.remaining };
  }

  /** The token's quota as it stands now (refills due included), or `null` when it has none. */
  async current(token: Token): Promise<Quota | null> {
    const stored = storedState(token);
    if (!stored) return null;
    const redis = this.redisClient();
    let state = this.states.get(token.id);
    if (redis) {
      const [remaining, refilledAt] = await redis.hmget(quotaKey(token.id), 'remaining', 'refilledAt');
      state = remaining === null || refilledAt === null ? undefined : { remaining: Number(remaining), refilledAt: Number(refilledAt) };
    }
    const live = state && state.refilledAt >= stored.refilledAt ? state : stored;
    return { remaining: refilled(live, token.quotaRefill, Date.now()).remaining, refill: token.quotaRefill };
  }

  /**
   * Writes the figures taken so far: one UPDATE per token, which never raises a figure within its
   * period, and leaves a quota set again since (a later period start) or removed as it is.
   */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.unwritten];
    this.unwritten.clear();
    for (const [tokenId, { remaining, refilledAt }] of batch) {
      const at = new Date(refilledAt);
      try {
        await this.tokens
          .createQueryBuilder()
          .update()
          .set({ quotaRemaining: remaining, quotaRefilledAt: at })
          .where('id = :tokenId', { tokenId })
          .andWhere('quota_remaining IS NOT NULL')
          .andWhere('(quota_refilled_at < :at OR (quota_refilled_at = :at AND quota_remaining > :remaining))', { at, remaining })
          .execute();
      } catch (error) {
        this.logger.error(`Could not write the quota of token ${tokenId}: ${(error as Error).message}`);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private async takeFrom(token: Token, cost: number): Promise<QuotaTake> {
    const stored = storedState(token)!;
    const redis = this.redisClient();
    if (redis) {
      if (!isReady(redis)) throw new Error('the connection is not ready');
      const intervalMs = (token.quotaRefill?.intervalSeconds ?? 0) * 1_000;
      const [taken, remaining, refilledAt] = (await redis.eval(
        TAKE_SCRIPT,
        1,
        quotaKey(token.id),
        cost,
        stored.remaining,
        stored.refilledAt,
        token.quotaRefill?.amount ?? 0,
        intervalMs,
        REDIS_KEEP_MS,
      )) as [number, number, number];
      return { taken: taken === 1, remaining, refilledAt };
    }
    const kept = this.states.get(token.id);
    const state = refilled(kept && kept.refilledAt >= stored.refilledAt ? kept : stored, token.quotaRefill, Date.now());
    const taken = state.remaining >= cost;
    const next = { remaining: taken ? state.remaining - cost : state.remaining, refilledAt: state.refilledAt };
    this.states.set(token.id, next);
    return { taken, ...next };
  }

  /**
   * Sends `keysmith.token.quota_low` from the one request that takes a refilling quota across a
   * tenth of its refill amount: each take is atomic, so exactly one request crosses per period.
   * A quota without refill has no size to measure a tenth of, and sends none.
   */
  private announceIfLow(token: Token, cost: number, { remaining, refilledAt }: QuotaTake): void {
    const refill = token.quotaRefill;
    if (!refill || cost === 0) return;
    const threshold = Math.floor(refill.amount / 10);
    if (remaining > threshold || remaining + cost <= threshold) return;
    this.events.emit(KEYSMITH_EVENTS.quotaLow, {
      token: tokenView(token),
      actorId: null,
      source: null,
      remaining,
      threshold,
      refillAt: new Date(refilledAt + refill.intervalSeconds * 1_000),
    });
  }

  private noteUnwritten(tokenId: string, { remaining, refilledAt }: QuotaState): void {
    this.unwritten.set(tokenId, { remaining, refilledAt });
    this.timer ??= setTimeout(() => void this.flush(), QUOTA_WRITE_INTERVAL_MS).unref();
  }

  private redisClient(): RedisQuotaClient | null {
    const client = this.keysmithRedis.connected as Partial<RedisQuotaClient> | null;
    return client && typeof client.eval === 'function' && typeof client.hmget === 'function' ? (client as RedisQuotaClient) : null;
  }
}

/** The quota as the database had it when the token was read, or `null` for a token without one. */
function storedState(token: Token): QuotaState | null {
  if (token.quotaRemaining === null) return null;
  return { remaining: token.quotaRemaining, refilledAt: token.quotaRefilledAt?.getTime() ?? 0 };
}

const quotaKey = (tokenId: string) => `keysmith:quota:${tokenId}`;
