import { InvalidTokenError } from '../errors/token-auth.errors.js';
import { randomBase62 } from './base62.js';
import { CHECKSUM_LENGTH, checksumMatches, tokenChecksum } from './checksum.js';

export const IDENTIFIER_LENGTH = 8;
export const MIN_SECRET_LENGTH = 16;
export const MAX_SECRET_LENGTH = 256;
export const MAX_NAMESPACE_LENGTH = 32;
/** Anything longer is rejected before parsing. */
export const MAX_TOKEN_LENGTH = 512;

export const NAMESPACE_PATTERN = new RegExp(`^[A-Za-z0-9]{1,${MAX_NAMESPACE_LENGTH}}$`);

const PREFIX_PATTERN = new RegExp(`^[A-Za-z0-9]{1,${MAX_NAMESPACE_LENGTH}}_[A-Za-z0-9]{${IDENTIFIER_LENGTH}}$`);

const TOKEN_PATTERN = new RegExp(
  `^([A-Za-z0-9]{1,${MAX_NAMESPACE_LENGTH}})_([A-Za-z0-9]{${IDENTIFIER_LENGTH}}):` +
    `([A-Za-z0-9]{${MIN_SECRET_LENGTH},${MAX_SECRET_LENGTH}})([0-9]{${CHECKSUM_LENGTH}})$`,
);

export interface ParsedToken {
  namespace: string;
  identifier: string;
  /** `<namespace>_<identifier>`: the public, indexed part. */
  prefix: string;
  secret: string;
}

export interface GeneratedToken extends ParsedToken {
  rawToken: string;
}

/** Whether a value has the shape of a token's prefix, `<namespace>_<identifier>`. */
export function isTokenPrefix(value: string): boolean {
  return PREFIX_PATTERN.test(value);
}

/** `<prefix>:<secret><crc>`. */
export function buildToken(prefix: string, secret: string): string {
  const body = `${prefix}:${secret}`;
  return body + tokenChecksum(body);
}

/** A fresh token: 8 random identifier characters and `secretLength` random secret characters. */
export function generateToken(namespace: string, secretLength: number): GeneratedToken {
  const identifier = randomBase62(IDENTIFIER_LENGTH);
  const prefix = `${namespace}_${identifier}`;
  const secret = randomBase62(secretLength);
  return { namespace, identifier, prefix, secret, rawToken: buildToken(prefix, secret) };
}

/** The prefix of a raw token that has a token's shape, or `null`; the checksum is not checked. */
export function prefixOf(rawToken: string): string | null {
  if (rawToken.length > MAX_TOKEN_LENGTH) return null;
  const match = TOKEN_PATTERN.exec(rawToken);
  return match ? `${match[1]}_${match[2]}` : null;
}

/**
 * Splits a raw token into its parts, or throws `InvalidTokenError` when its shape or checksum is
 * wrong. Both are checked here, before any database work, so garbage and typos cost no query.
 */
export function parseToken(rawToken: unknown): ParsedToken {
  if (typeof rawToken !== 'string' || rawToken.length > MAX_TOKEN_LENGTH) {
    throw new InvalidTokenError('malformed');
  }
  const match = TOKEN_PATTERN.exec(rawToken);
  if (!match) throw new InvalidTokenError('malformed');
  const [, namespace, identifier, secret, checksum] = match as unknown as [string, string, string, string, string];
  const prefix = `${namespace}_${identifier}`;
  if (!checksumMatches(`${prefix}:${secret}`, checksum)) throw new InvalidTokenError('checksum_mismatch');
  return { namespace, identifier, prefix, secret };
}
