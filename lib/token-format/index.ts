export { BASE62_ALPHABET, randomBase62 } from './base62.js';
export { checksumMatches, tokenChecksum } from './checksum.js';
export * from './token-format.js';
