import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { RedisClientLike } from '../options/keysmith-options.interface.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { InvalidationSubscription } from './invalidation-subscription.js';
import { KeysmithRedis } from '../redis/keysmith-redis.js';
import { VerificationCache } from './verification-cache.js';

/** Redis channel on which instances announce the tokens whose cache entries must go. */
export const INVALIDATION_CHANNEL = 'keysmith:token-changed';

const REDIS_WAIT_MS = 2_000;

/** Called with the id of a token that was rotated, revoked or purged, here or on another instance. */
export type TokenChangedListener = (tokenId: string) => void;

/** Called when changes announced by other instances may have been missed: any token may have changed. */
export type ChangesMissedListener = () => void;

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
  private subscription: InvalidationSubscription | null = null;
  private readonly listeners = new Set<TokenChangedListener>();
  private readonly missedListeners = new Set<ChangesMissedListener>();
  private sayLocalOnly: ((message: string) => void) | null = (message) => this.logger.warn(message);

  constructor(
    @Inject(KEYSMITH_OPTIONS) private readonly options: ResolvedKeysmithOptions,
    @Inject(VerificationCache) private readonly cache: VerificationCache,
    @Inject(KeysmithRedis) private readonly redis: KeysmithRedis,
  ) {}

  async onModuleInit(): Promise<void> {
    this.publisher = await this.redis.client();
    if (!this.publisher) return;
    // Without a cache or connections to close, there is nothing to drop when another instance speaks.
    if (!this.cache.enabled && !this.options.disconnectOnRevoke) return;
    const subscriber = (this.subscriber = this.publisher.duplicate());
    subscriber.on('message', (channel, message) => {
      if (channel === INVALIDATION_CHANNEL) this.dropAnnounced(message);
    });
    this.subscription = new InvalidationSubscription(
      subscriber,
      INVALIDATION_CHANNEL,
      this.cache,
      this.options.cacheTtlMsWithoutRedis,
      this.logger,
      () => this.missedListeners.forEach((listener) => listener()),
    );
    // Startup waits for the subscription, so that no revocation is missed once requests are
    // served; but only so long: an unreachable Redis must not keep the application down.
    if (!(await Promise.race([this.subscription.start(), sleep(REDIS_WAIT_MS, false, { ref: false })]))) {
      this.subscription.noteOutage(`not subscribed ${REDIS_WAIT_MS / 1_000} s after startup`);
    }
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
   * Calls `listener` whenever the subscription to other instances' changes comes back after an
   * outage, during which any token may have changed unheard, once the cache entries are gone.
   * Returns the function that stops it.
   */
  onChangesMissed(listener: ChangesMissedListener): () => void {
    this.missedListeners.add(listener);
    return () => this.missedListeners.delete(listener);
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

  /** Closes the subscriber made here; the client for commands is `KeysmithRedis`'s. */
  async onApplicationShutdown(): Promise<void> {
    this.subscription?.stop();
    await this.subscriber?.quit().catch(() => undefined);
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
