import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import { randomBase62 } from '../token-format/base62.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { HashCosts } from './hash-costs.js';
import type { TokenHasher } from './token-hasher.js';

const SEPARATOR = '$';

/**
 * Hashes new secrets with the configured hasher and verifies each stored hash with the hasher
 * its `<algorithm>$` tag names, so tokens keep working after the configured hasher changes.
 * At most `hashConcurrency` hasher calls (custom hashers' too) run at once; the rest queue.
 */
export class HasherRegistry {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly byAlgorithm: ReadonlyMap<string, TokenHasher>;
  private readonly limit: ConcurrencyLimit;
  private readonly costs = new HashCosts();
  private ownDecoy: Promise<string> | undefined;

  constructor(
    private readonly current: TokenHasher,
    known: readonly TokenHasher[],
    hashConcurrency: number,
  ) {
    this.byAlgorithm = new Map([...known, current].map((hasher) => [hasher.algorithm, hasher]));
    this.limit = new ConcurrencyLimit(hashConcurrency);
  }

  /** The algorithms whose hashes this registry can verify, the configured one first. */
  get algorithms(): string[] {
    return [this.current.algorithm, ...[...this.byAlgorithm.keys()].filter((algorithm) => algorithm !== this.current.algorithm)];
  }

  async hash(secret: string): Promise<string> {
    return `${this.current.algorithm}${SEPARATOR}${await this.limit.run(() => this.current.hash(secret))}`;
  }

  /** Checks a secret against a stored hash, and notes what that hash's kind costs to verify. */
  async verify(secret: string, stored: string): Promise<boolean> {
    const separator = stored.indexOf(SEPARATOR);
    const hasher = separator > 0 ? this.byAlgorithm.get(stored.slice(0, separator)) : undefined;
    if (!hasher) {
      this.logger.error(`A stored token hash names no known hasher ("${stored.slice(0, Math.max(separator, 0))}").`);
      return false;
    }
    return this.limit.run(async () => {
      const started = performance.now();
      const matches = await hasher.verify(secret, stored.slice(separator + 1));
      this.costs.note(stored, performance.now() - started);
      return matches;
    });
  }

  /**
   * Whether a stored hash was made by another hasher than the configured one, or with other
   * settings: the token's next successful verification makes it again with the configured hasher.
   */
  needsRehash(stored: string): boolean {
    const separator = stored.indexOf(SEPARATOR);
    if (stored.slice(0, separator) !== this.current.algorithm) return true;
    return this.current.needsRehash?.(stored.slice(separator + 1)) ?? false;
  }

  /**
   * Does the work of one verification for a prefix that matched no token, so that an unknown
   * prefix costs what a wrong secret for a stored token costs and response times do not tell an
   * attacker which prefixes exist. The decoy is the costliest kind of hash known to be stored
   * (by `learn()` and by every verification so far), or one of the configured hasher's own, so
   * that after a change of hasher, tokens still on the old one do not stand out. Making the own
   * decoy and verifying against it each take a slot of the limit in turn, never both at once, so
   * a limit of 1 cannot deadlock.
   */
  async verifyDecoy(secret: string): Promise<void> {
    const costliest = this.costs.costliest();
    await this.verify(secret, costliest ?? (await this.ownDecoyHash()));
  }

  /**
   * Measures what a stored hash costs to verify (with a random secret, which it never matches),
   * so that decoys cost as much from the start. For hashes sampled from the table at startup.
   */
  async learn(stored: string): Promise<void> {
    if (!this.costs.knows(stored)) await this.verify(randomBase62(32), stored);
    // The configured hasher is measured too: it may be the costliest.
    if (!this.costs.knows(await this.ownDecoyHash())) await this.verify(randomBase62(32), await this.ownDecoyHash());
  }

  private ownDecoyHash(): Promise<string> {
    this.ownDecoy ??= this.hash(randomBase62(32)).catch((error: unknown) => {
      this.ownDecoy = undefined;
      throw error;
    });
    return this.ownDecoy;
  }
}
