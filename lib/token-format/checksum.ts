import { timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const CHECKSUM_LENGTH = 6;

/** CRC-32 (zlib polynomial) of the UTF-8 body, unsigned, modulo 10^6, zero-padded to 6 digits. */
export function tokenChecksum(body: string): string {
  return String(crc32(body) % 1_000_000).padStart(CHECKSUM_LENGTH, '0');
}

/** Constant-time, so the time to reject a token says nothing about how close its checksum was. */
export function checksumMatches(body: string, checksum: string): boolean {
  const expected = Buffer.from(tokenChecksum(body));
  const given = Buffer.from(checksum);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
