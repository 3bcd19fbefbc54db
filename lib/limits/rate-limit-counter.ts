import type { RateLimit } from './rate-limit.js';

/** Where one check of a token's rate limit left its window. */
export interface RateLimitCount {
  limit: number;
  /** Requests counted in the window, this one included (refused ones too). */
  count: number;
  /** Milliseconds until the window ends and the count starts again. */
  resetMs: number;
}

/** Counts the requests of a token within its window: in Redis, shared by every instance, or in this process. */
export interface RateLimitCounter {
  /** Counts one request of the window `key` names and says where the window stands. */
  count(key: string, rateLimit: RateLimit): Promise<RateLimitCount> | RateLimitCount;
}

// Sweeping ended windows once a minute keeps memory to the tokens used lately.
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Windows in this process's memory: each instance counts on its own, so N instances let a token
 * through up to N times its limit.
 */
export class ProcessRateLimitCounter implements RateLimitCounter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();
  private nextSweep = Date.now() + SWEEP_INTERVAL_MS;

  count(key: string, { limit, windowSeconds }: RateLimit): RateLimitCount {
    const now = Date.now();
    if (now >= this.nextSweep) this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + windowSeconds * 1_000 };
      this.windows.set(key, window);
    }
    window.count++;
    return { limit, count: window.count, resetMs: window.endsAt - now };
  }

  private sweep(now: number): void {
    this.nextSweep = now + SWEEP_INTERVAL_MS;
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

/**
 * The window's count and what is left of it, in one step: the first request of a window starts
 * its expiry, in Redis's clock, so instances whose clocks differ still share one window.
 */
const COUNT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  ttl = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {count, ttl}`;

/** The part of an ioredis client the Redis counter uses. */
export interface RedisScriptClient {
  eval(script: string, numberOfKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

/** Windows in Redis: one count per token however many instances share the Redis. */
export class RedisRateLimitCounter implements RateLimitCounter {
  constructor(private readonly redis: RedisScriptClient) {}

  async count(key: string, { limit, windowSeconds }: RateLimit): Promise<RateLimitCount> {
    const [count, ttl] = (await this.redis.eval(COUNT_SCRIPT, 1, key, windowSeconds * 1_000)) as [number, number];
    return { limit, count, resetMs: ttl };
  }
}
