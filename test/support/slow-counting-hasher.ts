import { createHmac, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TokenHasher } from '../../lib/index.js';

/**
 * HMAC-SHA256 that takes `delayMs` of real time per call, as a slow hash does, and records how
 * many of its calls were in flight at once.
 */
export class SlowCountingHasher extends TokenHasher {
  readonly algorithm = 'slow_hmac';
  hashes = 0;
  verifications = 0;
  running = 0;
  /** The most calls that were in flight at the same moment. */
  mostRunning = 0;

  constructor(private readonly delayMs = 20) {
    super();
  }

  hash(secret: string): Promise<string> {
    this.hashes++;
    return this.slowly(() => this.digest(secret).toString('hex'));
  }

  verify(secret: string, hash: string): Promise<boolean> {
    this.verifications++;
    return this.slowly(() => {
      const expected = this.digest(secret);
      const stored = Buffer.from(hash, 'hex');
      return stored.length === expected.length && timingSafeEqual(stored, expected);
    });
  }

  private async slowly<T>(work: () => T): Promise<T> {
    this.running++;
    this.mostRunning = Math.max(this.mostRunning, this.running);
    try {
      await sleep(this.delayMs);
      return work();
    } finally {
      this.running--;
    }
  }

  private digest(secret: string): Buffer {
    return createHmac('sha256', 'slow-counting-hasher-key').update(secret).digest();
  }
}
