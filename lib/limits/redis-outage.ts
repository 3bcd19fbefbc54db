import type { Logger } from '@nestjs/common';
import type { LimitsOnRedisError } from '../options/keysmith-options.interface.js';

/**
 * What a limit does while Redis does not answer: `limitsOnRedisError` decides, and the first
 * failure of each outage is logged, once.
 */
export class RedisOutage {
  private down = false;

  constructor(
    private readonly logger: Logger,
    private readonly policy: LimitsOnRedisError,
    /** What is not counted, for the log: "a rate limit's count". */
    private readonly what: string,
  ) {}

  /** Whether the request goes through after Redis failed to count it. */
  failed(error: unknown): boolean {
    if (!this.down) {
      this.logger.error(
        `Redis did not answer ${this.what}, so requests of the tokens it limits are ${this.policy === 'allow' ? 'let through uncounted' : 'refused'} (limitsOnRedisError: '${this.policy}') until it does: ${(error as Error)?.message}`,
      );
    }
    this.down = true;
    return this.policy === 'allow';
  }

  answered(): void {
    this.down = false;
  }
}

/** ioredis says whether its connection is up; a client that does not is taken at its word. */
export function isReady(client: unknown): boolean {
  const status = (client as { status?: unknown }).status;
  return status === undefined || status === 'ready';
}
