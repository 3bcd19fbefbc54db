import { Logger } from '@nestjs/common';
import { AttemptsExceededError } from '../auth/authentication.js';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { LimitsOnRedisError, RedisClientLike } from '../options/keysmith-options.interface.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import type { KeysmithRedis } from '../redis/keysmith-redis.js';
import { FailedAttemptsThrottle, keyOf, NOT_COUNTED, type FailedAttempts, type VerificationAttempt } from './failed-attempts-throttle.js';

// Each pair is one hash, { failures, running }, that expires with its window.
const KEY_PREFIX = 'keysmith:failed-attempts:';

const IS_BLOCKED = `return (tonumber(redis.call('HGET', KEYS[1], 'failures')) or 0) >= tonumber(ARGV[1]) and 1 or 0`;

// Counts the attempt as running from its start, unless the pair has reached the limit with the attempts still running.
const BEGIN = `
local counts = redis.call('HMGET', KEYS[1], 'failures', 'running')
if (tonumber(counts[1]) or 0) + (tonumber(counts[2]) or 0) >= tonumber(ARGV[1]) then return 0 end
redis.call('HINCRBY', KEYS[1], 'running', 1)
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

// A failure whose window ended meanwhile opens a new one.
const END = `
if (tonumber(redis.call('HGET', KEYS[1], 'running')) or 0) > 0 then redis.call('HINCRBY', KEYS[1], 'running', -1) end
if ARGV[1] == '1' then
  redis.call('HINCRBY', KEYS[1], 'failures', 1)
  if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
end
return 1`;

// A command that takes longer counts as an outage; after one, Redis is asked again a second later.
const ANSWER_WITHIN_MS = 1_000;
const RETRY_AFTER_MS = 1_000;

/**
 * The failed-attempts limit of every instance together (with `redis`): one Lua script per step,
 * so that concurrent attempts on several instances count exactly. While Redis does not answer,
 * `limitsOnRedisError` decides: `'allow'` counts in this process (`local`), `'deny'` refuses.
 */
export class SharedFailedAttempts implements FailedAttempts {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly local: FailedAttemptsThrottle;
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly onRedisError: LimitsOnRedisError;
  private outage = false;
  private askAgainAt = 0;

  constructor(
    private readonly redis: KeysmithRedis,
    options: Pick<ResolvedKeysmithOptions, 'failedAttemptsLimit' | 'failedAttemptsWindowMs' | 'limitsOnRedisError'>,
  ) {
    this.limit = options.failedAttemptsLimit;
    this.windowMs = options.failedAttemptsWindowMs;
    this.onRedisError = options.limitsOnRedisError;
    this.local = new FailedAttemptsThrottle(this.limit, this.windowMs);
  }

  async isBlocked(clientIp: string | null, prefix: string): Promise<boolean> {
    if (this.limit === 0) return false;
    const reply = await this.ask((client) => client.eval(IS_BLOCKED, 1, KEY_PREFIX + keyOf(clientIp, prefix), this.limit));
    return reply === undefined ? this.withoutRedis(prefix, () => this.local.isBlocked(clientIp, prefix)) : reply === 1;
  }

  async begin(clientIp: string | null, prefix: string): Promise<VerificationAttempt | null> {
    if (this.limit === 0) return NOT_COUNTED;
    const key = KEY_PREFIX + keyOf(clientIp, prefix);
    const reply = await this.ask((client) => client.eval(BEGIN, 1, key, this.limit, this.windowMs));
    if (reply === undefined) return this.withoutRedis(prefix, () => this.local.begin(clientIp, prefix));
    if (reply !== 1) return null;
    let ended = false;
    const end = (failed: boolean) => {
      if (ended) return;
      ended = true;
      void this.ask((client) => client.eval(END, 1, key, failed ? 1 : 0, this.windowMs));
    };
    return { succeeded: () => end(false), failed: () => end(true) };
  }

  /** Redis's reply, or `undefined` when it did not answer in time (or is still considered down). */
  private async ask(command: (client: RedisClientLike) => Promise<unknown>): Promise<unknown> {
    if (performance.now() < this.askAgainAt) return undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const client = (await this.redis.client())!;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms`)), ANSWER_WITHIN_MS);
      });
      const reply = await Promise.race([command(client), timeout]);
      this.answered();
      return reply;
    } catch (error) {
      this.noAnswer((error as Error).message);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private withoutRedis<T>(prefix: string, local: () => T): T {
    if (this.onRedisError === 'deny') throw new AttemptsExceededError(prefix, 'limits_unavailable');
    return local();
  }

  private answered(): void {
    if (!this.outage) return;
    this.outage = false;
    this.logger.log('Redis answers the failed-attempts limit again: wrong secrets are counted for every instance together.');
  }

  private noAnswer(why: string): void {
    this.askAgainAt = performance.now() + RETRY_AFTER_MS;
    if (this.outage) return;
    this.outage = true;
    const meanwhile =
      this.onRedisError === 'allow' ? 'wrong secrets are counted in each process apart' : 'every secret not yet proven is refused with 429';
    this.logger.error(
      `Redis does not answer the failed-attempts limit (${why}): until it does, ${meanwhile} (limitsOnRedisError: '${this.onRedisError}').`,
    );
  }
}
