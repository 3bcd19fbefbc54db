import bcrypt from 'bcrypt';
import { TokenHasher } from './token-hasher.js';

export const DEFAULT_BCRYPT_ROUNDS = 10;

/** bcrypt reads at most 72 bytes of what it hashes: the rest of a longer secret is never checked. */
export const BCRYPT_MAX_INPUT_BYTES = 72;

const BCRYPT_COST = /^\$2[aby]\$(\d{2})\$/;

/** bcrypt on libuv's thread pool, so a hash never blocks the event loop. Stored as `bcrypt$$2b$...`. */
export class BcryptHasher extends TokenHasher {
  readonly algorithm = 'bcrypt';

  constructor(private readonly rounds = DEFAULT_BCRYPT_ROUNDS) {
    super();
  }

  hash(secret: string): Promise<string> {
    return bcrypt.hash(secret, this.rounds);
  }

  verify(secret: string, hash: string): Promise<boolean> {
    return bcrypt.compare(secret, hash);
  }

  override needsRehash(hash: string): boolean {
    return Number(BCRYPT_COST.exec(hash)?.[1]) !== this.rounds;
  }
}
