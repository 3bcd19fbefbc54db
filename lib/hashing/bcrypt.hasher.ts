import bcrypt from 'bcrypt';
import { TokenHasher } from './token-hasher.js';

export const DEFAULT_BCRYPT_ROUNDS = 10;

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
}
