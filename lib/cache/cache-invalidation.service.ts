import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { RedisClientLike } from '../options/keysmith-options.interface.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { VerificationCache } from './verification-cache.js';

/** Redis channel on which instances announce the tokens whose cache entries must go. */
export const INVALIDATION_CHANNEL = 'keysmith:token-changed';

const REDIS_WAIT_MS = 2_000;

/** Called with the id of a token that was rotated, revoked or purged, here or on another instance. */
export type TokenChangedListener = (tokenId: string) => void;

/**
 * Drops a changed token from this instance's verification cache and, with the `redis` option,
 * from every other instance's: each one subscribes to one channel and drops what it hears. Each
 * change is also told to the listeners of `onTokenChanged` (the connections to close).
 */
@Injectable()
export class CacheInvalidationService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly instanceId = randomUUID();
  private publisher: RedisClientLike | null = null;
  private subscriber: RedisClientLike | null = null;
  private readonly listeners = new Set<TokenChangedListener>();
  private sayLocalOnly: ((message: string) => void) | null = (message) => this.logger.warn(message);

  constructor(
    @Inject(KEYSMITH_OPTIONS) private readonly options: ResolvedKeysmithOptions,
    @Inject(VerificationCache) private readonly cache: VerificationCache,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.options.redis) return;
    const owned = typeof this.options.redis === 'string';
    this.publisher = await connect(this.options.redis);
    if (owned) reportConnectionErrors(this.publisher, this.logger);
    // Without a cache or connections to close, there is nothing to drop when another instance speaks.
    if (!this.cache.enabled && !this.options.disconnectOnRevoke) return;
    const subscriber = (this.subscriber = this.publisher.duplicate());
    reportConnectionErrors(subscriber, this.logger);
    subscriber.on('message', (channel, message) => {
      if (channel === INVALIDATION_CHANNEL) this.dropAnnounced(message);
    });
    const subscribe = () =>
      subscriber.subscribe(INVALIDATION_CHANNEL).then(
        () => true,
        (error: Error) => {
          this.logger.error(`Could not subscribe to Redis: ${error.message}`);
          return false;
        },
      );
    // Subscribing again on every (re)connection also covers a first attempt that failed.
    subscriber.on('ready', () => void subscribe());
    // Startup waits for the subscription, so that no revocation is missed once requests are
    // served; but only so long: an unreachable Redis must not keep the application down.
    if (!(await Promise.race([subscribe(), sleep(REDIS_WAIT_MS, false, { ref: false })]))) {
      this.logger.error(
        'Not subscribed to Redis yet: until it answers, a token revoked through another instance is accepted here until its cache entry expires (cacheTtlSeconds).',
      );
    }
  }

  /** The connection to `redis` once the module has started (`null` without the option), for the other uses of Redis. */
  get redisClient(): RedisClientLike | null {
    return this.publisher;
  }

  /**
   * Calls `listener` after every change of a token, made here or announced by another instance,
   * once the token's cache entries are gone. Returns the function that stops it.
   */
  onTokenChanged(listener: TokenChangedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Where the one notice goes that, without `redis`, other instances may accept a changed token
   * for up to `cacheTtlSeconds`: the log by default (the command line prints it).
   */
  sayLocalOnlyChangesWith(say: (message: string) => void): void {
    this.sayLocalOnly = say;
  }

  /** Drops the token here, then tells the other instances. Never throws. */
  async tokenChanged(tokenId: string): Promise<void> {
    this.changed(tokenId);
    if (!this.options.redis) return this.noteLocalOnly();
    if (!this.publisher) return;
    try {
      const published = this.publisher.publish(INVALIDATION_CHANNEL, JSON.stringify({ tokenId, from: this.instanceId }));
      // A lifecycle action waits for Redis only so long; the database change has been made.
      const timedOut = sleep(REDIS_WAIT_MS, 'timeout', { ref: false });
      if ((await Promise.race([published, timedOut])) === 'timeout') throw new Error('Redis did not answer in time');
    } catch (error) {
      this.logger.error(
        `Could not announce a change of token ${tokenId} on Redis; other instances may accept it until their cache entry expires: ${(error as Error).message}`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // Only the clients made here are closed; a client passed in belongs to the application.
    const owned = typeof this.options.redis === 'string' ? [this.publisher, this.subscriber] : [this.subscriber];
    await Promise.all(owned.filter((client) => client !== null).map((client) => client.quit().catch(() => undefined)));
  }

  /** Says once per process that a change reaches no other instance's cache, where those may hold the token. */
  private noteLocalOnly(): void {
    if (this.sayLocalOnly === null || this.options.cacheTtlMs === 0) return;
    const say = this.sayLocalOnly;
    this.sayLocalOnly = null;
    say(
      `Without the redis option, a change of a token (rotated, revoked, purged, disabled, updated) reaches no other process's verification cache: running instances ` +
        `of the application may accept the token as it was for up to ${this.options.cacheTtlMs / 1_000} s (cacheTtlSeconds). ` +
        'Give the application and the keysmith command line (KEYSMITH_REDIS) the same redis to drop it everywhere at once.',
    );
  }

  private dropAnnounced(message: string): void {
    try {
      const { tokenId, from } = JSON.parse(message) as { tokenId?: unknown; from?: unknown };
      if (typeof tokenId === 'string' && from !== this.instanceId) this.changed(tokenId);
    } catch {
      this.logger.warn(`Ignored a malformed message on ${INVALIDATION_CHANNEL}.`);
    }
  }

  private changed(tokenId: string): void {
    this.cache.drop(tokenId);
    for (const listener of this.listeners) {
      try {
        listener(tokenId);
      } catch (error) {
        this.logger.error(`A listener of token changes failed: ${(error as Error).message}`);
      }
    }
  }
}

/** Logs the first error of a connection that goes down, and again only after it came back. */
function reportConnectionErrors(client: RedisClientLike, logger: Logger): void {
  let reported = false;
  client.on('error', (error: Error) => {
    if (!reported) logger.error(`Redis connection error (revocations from other instances wait for the cache TTL): ${error.message}`);
    reported = true;
  });
  client.on('ready', () => {
    reported = false;
  });
}

async function connect(redis: string | RedisClientLike): Promise<RedisClientLike> {
  if (typeof redis !== 'string') return redis;
  try {
    const { Redis } = await import('ioredis');
    // Fail a command after one reconnection attempt instead of queueing it for minutes.
    return new Redis(redis, { maxRetriesPerRequest: 1 });
  } catch (error) {
    throw new Error(`The "redis" option needs the ioredis package (npm install ioredis): ${(error as Error).message}`, { cause: error });
  }
}
