import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { RedisClientLike } from '../options/keysmith-options.interface.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';

/**
 * The Redis client of the `redis` option, for commands (announcing changes, counting failed
 * attempts, rate limits and quotas): the application's own client, or one made from the URL on
 * first use. A client made here is closed at shutdown; a client passed in belongs to the
 * application.
 */
@Injectable()
export class KeysmithRedis implements OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private connecting: Promise<RedisClientLike | null> | null = null;
  private resolved: RedisClientLike | null = null;

  constructor(@Inject(KEYSMITH_OPTIONS) private readonly options: Pick<ResolvedKeysmithOptions, 'redis'>) {}

  /** `null` without the `redis` option. Rejects when a URL is given and ioredis is not installed. */
  client(): Promise<RedisClientLike | null> {
    this.connecting ??= this.connect().then((client) => (this.resolved = client));
    return this.connecting;
  }

  /**
   * The client once `client()` has resolved, which the module's startup awaits; `null` before, or
   * without the option. For the request path, which must not wait for a promise.
   */
  get connected(): RedisClientLike | null {
    return this.resolved;
  }

  async onApplicationShutdown(): Promise<void> {
    if (typeof this.options.redis !== 'string' || !this.connecting) return;
    const client = await this.connecting.catch(() => null);
    await client?.quit().catch(() => undefined);
  }

  private async connect(): Promise<RedisClientLike | null> {
    const { redis } = this.options;
    if (redis === null) return null;
    if (typeof redis !== 'string') return redis;
    let client: RedisClientLike;
    try {
      const { Redis } = await import('ioredis');
      // Fail a command after one reconnection attempt instead of queueing it for minutes.
      client = new Redis(redis, { maxRetriesPerRequest: 1 });
    } catch (error) {
      throw new Error(`The "redis" option needs the ioredis package (npm install ioredis): ${(error as Error).message}`, { cause: error });
    }
    this.reportConnectionErrors(client);
    return client;
  }

  /** Logs the first error of a connection that goes down, and again only after it came back. */
  private reportConnectionErrors(client: RedisClientLike): void {
    let reported = false;
    client.on('error', (error: Error) => {
      if (!reported) this.logger.error(`Redis connection error: ${error.message}`);
      reported = true;
    });
    client.on('ready', () => {
      reported = false;
    });
  }
}
