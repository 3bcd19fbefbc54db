import { Logger } from '@nestjs/common';
import type { TokenHasher } from './token-hasher.js';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import { randomBase62 } from '../token-format/base62.js';
import { ConcurrencyLimit } from './concurrency-limit.js';

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
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly current: TokenHasher,
    known: readonly TokenHasher[],
    hashConcurrency: number,
  ) {
    this.byAlgorithm = new Map([...known, current].map((hasher) => [hasher.algorithm, hasher]));
    this.limit = new ConcurrencyLimit(hashConcurrency);
  }

  async hash(secret: string): Promise<string> {
    return `${this.current.algorithm}${SEPARATOR}${await this.limit.run(() => this.current.hash(secret))}`;
  }

  async verify(secret: string, stored: string): Promise<boolean> {
    const separator = stored.indexOf(SEPARATOR);
    const hasher = separator > 0 ? this.byAlgorithm.get(stored.slice(0, separator)) : undefined;
    if (!hasher) {
      this.logger.error(`A stored token hash names no known hasher ("${stored.slice(0, Math.max(separator, 0))}").`);
      return false;
    }
    return this.limit.run(() => hasher.verify(secret, stored.slice(separator + 1)));
  }

  /**
   * Does the work of one verification against a hash no token has. Called for a prefix that
   * matched no token, so that an unknown prefix costs what a wrong secret costs and response
   * times do not tell an attacker which prefixes exist. Making the decoy and verifying against it
   * each take a slot of the limit in turn, never both at once, so a limit of 1 cannot deadlock.
   */
  async verifyDecoy(secret: string): Promise<void> {
    this.decoyHash ??= this.hash(randomBase62(32)).catch((error: unknown) => {
      this.decoyHash = undefined;
      throw error;
    });
    await this.verify(secret, await this.decoyHash);
  }
}
