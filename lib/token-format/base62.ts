import { randomBytes } from 'node:crypto';

export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// 248 is the largest multiple of 62 below 256: bytes at or above it are dropped so that every
// character is equally likely.
const UNBIASED_BYTE_LIMIT = 248;

/** `length` characters drawn uniformly from the base62 alphabet with a CSPRNG. */
export function randomBase62(length: number): string {
  let result = '';
  while (result.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < UNBIASED_BYTE_LIMIT) result += BASE62_ALPHABET[byte % 62];
      if (result.length === length) break;
    }
  }
  return result;
}
