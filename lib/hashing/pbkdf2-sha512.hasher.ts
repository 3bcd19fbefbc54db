import { pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { TokenHasher } from './token-hasher.js';
import { randomBase62 } from '../token-format/base62.js';

const pbkdf2Async = promisify(pbkdf2);

export const DEFAULT_PBKDF2_ITERATIONS = 100_000;
const KEY_LENGTH = 64;
const MAX_ITERATIONS = 2 ** 31 - 1;
// 22 base62 characters carry the 128 bits of salt Django's hashers use.
const SALT_LENGTH = 22;

/**
 * PBKDF2-HMAC-SHA512, written as Django's PBKDF2 hashers write it: `<iterations>$<salt>$<base64>`,
 * stored as `pbkdf2_sha512$<iterations>$<salt>$<base64>`, so hashes made by django-keysmith verify
 * here and the other way round.
 */
export class Pbkdf2Sha512Hasher extends TokenHasher {
  readonly algorithm = 'pbkdf2_sha512';

  constructor(private readonly iterations = DEFAULT_PBKDF2_ITERATIONS) {
    super();
  }

  async hash(secret: string): Promise<string> {
    const salt = randomBase62(SALT_LENGTH);
    return `${this.iterations}$${salt}$${await derive(secret, salt, this.iterations)}`;
  }

  async verify(secret: string, hash: string): Promise<boolean> {
    const parts = hash.split('$');
    if (parts.length !== 3) return false;
    const [iterationsText, salt, expected] = parts as [string, string, string];
    const iterations = Number(iterationsText);
    // Node's pbkdf2 throws above MAX_ITERATIONS; a stored hash must never make verify() throw.
    if (!/^[1-9][0-9]*$/.test(iterationsText) || iterations > MAX_ITERATIONS || !salt || !expected) return false;
    const actual = Buffer.from(await derive(secret, salt, iterations));
    const stored = Buffer.from(expected);
    return actual.length === stored.length && timingSafeEqual(actual, stored);
  }

  override needsRehash(hash: string): boolean {
    return Number(hash.split('$', 1)[0]) !== this.iterations;
  }
}

async function derive(secret: string, salt: string, iterations: number): Promise<string> {
  return (await pbkdf2Async(secret, salt, iterations, KEY_LENGTH, 'sha512')).toString('base64');
}
