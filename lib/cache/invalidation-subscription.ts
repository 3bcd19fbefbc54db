import type { Logger } from '@nestjs/common';
import type { RedisClientLike } from '../options/keysmith-options.interface.js';
import type { VerificationCache } from './verification-cache.js';

// A ping without an answer for this long is an outage (logged), also while the socket looks open.
const UNANSWERED_PING_MS = 2_000;
// Pings often enough that a healthy subscription keeps every entry usable (`VerificationCache`).
const MAX_PING_INTERVAL_MS = 1_000;

/**
 * Keeps this instance's subscription to the changes other instances announce, and tells the
 * verification cache how far it can trust it:
 *
 * - Subscribes on every (re)connection, then drops every cached verification and calls
 *   `changesMissed` (the open connections are checked again), since announcements may have been
 *   missed while the connection was down.
 * - Pings Redis on the subscribing connection, where answers come after every message published
 *   before: an answer to a ping sent at T means every change announced before T has been heard.
 *   Until the next answer, the cache uses its entries for `cacheTtlSecondsWithoutRedis` at most,
 *   whether or not the client has noticed yet that the connection is gone.
 * - Logs an outage once, when it begins, and once when it ends.
 */
export class InvalidationSubscription {
  private readonly pingIntervalMs: number;
  private heartbeat: NodeJS.Timeout | null = null;
  /** Counts the connections of the subscriber, so that an answer from a closed one confirms nothing. */
  private connection = 0;
  private subscribedOn = -1;
  private pingSentAt: number | null = null;
  private lastError: string | null = null;
  private outage = false;
  private stopped = false;

  constructor(
    private readonly subscriber: RedisClientLike,
    private readonly channel: string,
    private readonly cache: VerificationCache,
    private readonly unheardTtlMs: number,
    private readonly logger: Logger,
    /** Called whenever changes announced meanwhile may have been missed, once the cache has dropped them. */
    private readonly changesMissed: () => void,
  ) {
    this.pingIntervalMs = Math.min(MAX_PING_INTERVAL_MS, unheardTtlMs / 4);
  }

  /** Subscribes now and on every reconnection; resolves whether this first subscription succeeded. */
  start(): Promise<boolean> {
    this.subscriber.on('error', (error) => {
      this.lastError = error.message;
    });
    this.subscriber.on('close', () => {
      this.connection++;
      this.pingSentAt = null;
      this.noteOutage('the connection closed');
    });
    this.subscriber.on('ready', () => void this.subscribe());
    this.heartbeat = setInterval(() => this.ping(), this.pingIntervalMs);
    this.heartbeat.unref();
    return this.subscribe();
  }

  /** Before the subscriber is closed: its closing is no outage. */
  stop(): void {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
  }

  /** Logs, once until the subscription is back, that changes announced by other instances may be missed. */
  noteOutage(why: string): void {
    if (this.outage || this.stopped) return;
    this.outage = true;
    const error = this.lastError === null ? '' : ` (${this.lastError})`;
    this.logger.error(
      `No Redis subscription to the changes of tokens: ${why}${error}. Until it is back, a verified token is accepted from memory for at most ${this.unheardTtlMs / 1_000} s (cacheTtlSecondsWithoutRedis), so a token revoked through another instance may be accepted here that long; then every cached verification is dropped.`,
    );
  }

  private async subscribe(): Promise<boolean> {
    const connection = this.connection;
    const sentAt = performance.now();
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.logger.error(`Could not subscribe to Redis: ${(error as Error).message}`);
      return false;
    }
    if (connection !== this.connection || this.subscribedOn === connection) return true;
    this.subscribedOn = connection;
    this.forgetMissedChanges();
    this.heard(sentAt);
    return true;
  }

  private ping(): void {
    if (this.subscribedOn !== this.connection) return;
    if (this.pingSentAt !== null) {
      if (performance.now() - this.pingSentAt >= UNANSWERED_PING_MS)
        this.noteOutage(`no answer to a ping for ${UNANSWERED_PING_MS / 1_000} s`);
      return;
    }
    const connection = this.connection;
    const sentAt = (this.pingSentAt = performance.now());
    this.subscriber.ping().then(
      () => {
        if (connection !== this.connection) return;
        this.pingSentAt = null;
        this.heard(sentAt);
      },
      () => {
        if (connection === this.connection) this.pingSentAt = null;
      },
    );
  }

  private heard(until: number): void {
    this.cache.heardChangesUntil(until);
    if (!this.outage) return;
    this.outage = false;
    this.lastError = null;
    // Announcements may have been missed while Redis did not answer.
    this.forgetMissedChanges();
    this.logger.log('Redis answers again: every cached verification was dropped, as revocations announced meanwhile may have been missed.');
  }

  private forgetMissedChanges(): void {
    this.cache.clear();
    this.changesMissed();
  }
}
