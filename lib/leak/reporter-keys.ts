import { verify, type KeyObject } from 'node:crypto';
import { Logger, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import { p256PublicKey, type ReporterKeySource } from './leak-options.js';

/** An unknown key identifier fetches the keys again (the reporter may have added one), at most this often. */
const REFETCH_AFTER_UNKNOWN_MS = 60_000;
/** However stale the keys, the URL is tried at most this often (a failed fetch, one after another). */
const RETRY_AFTER_MS = 10_000;
const FETCH_TIMEOUT_MS = 10_000;
/** A base64 DER ECDSA P-256 signature is about 96 characters; anything far longer is not one. */
const MAX_SIGNATURE_LENGTH = 256;

/**
 * The reporter's public keys, by identifier, and the check of a report's signature against them:
 * ECDSA P-256 with SHA-256 over the raw body, as GitHub signs its secret scanning reports. Keys
 * fetched from a URL are kept for `publicKeysCacheSeconds`; the last ones fetched stay in use while
 * the URL does not answer.
 */
export class ReporterKeys {
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private fetched: { keys: ReadonlyMap<string, KeyObject>; at: number } | undefined;
  private fetching: Promise<void> | undefined;
  private attemptedAt = -Infinity;

  constructor(private readonly source: ReporterKeySource) {}

  /** Resolves if `signature` (base64) signs `body` with the key `keyIdentifier` names, else throws `UnauthorizedException`. */
  async verifySignature(body: Buffer, keyIdentifier: unknown, signature: unknown): Promise<void> {
    if (typeof keyIdentifier !== 'string' || keyIdentifier.length === 0 || typeof signature !== 'string' || signature.length === 0) {
      throw new UnauthorizedException(
        'The report is not signed: Github-Public-Key-Identifier and Github-Public-Key-Signature are required.',
      );
    }
    const key = await this.key(keyIdentifier);
    if (!key) throw new UnauthorizedException('The report is signed with an unknown key.');
    if (signature.length > MAX_SIGNATURE_LENGTH || !verifies(body, key, Buffer.from(signature, 'base64'))) {
      throw new UnauthorizedException('The report signature does not verify.');
    }
  }

  private async key(identifier: string): Promise<KeyObject | undefined> {
    if ('keys' in this.source) return this.source.keys.get(identifier);
    const sinceAttempt = Date.now() - this.attemptedAt;
    const stale = !this.fetched || Date.now() - this.fetched.at >= this.source.cacheMs;
    const unknown = !this.fetched?.keys.has(identifier);
    if (this.fetching || (sinceAttempt >= RETRY_AFTER_MS && (stale || (unknown && sinceAttempt >= REFETCH_AFTER_UNKNOWN_MS)))) {
      await this.refetch(this.source.url);
    }
    if (!this.fetched) throw new ServiceUnavailableException('The keys that verify reports cannot be fetched; try again later.');
    return this.fetched.keys.get(identifier);
  }

  /** One fetch at a time; a failure keeps the keys fetched before. */
  private refetch(url: string): Promise<void> {
    if (this.fetching) return this.fetching;
    this.attemptedAt = Date.now();
    this.fetching = fetchKeys(url)
      .then((keys) => {
        this.fetched = { keys, at: Date.now() };
      })
      .catch((error: unknown) => {
        this.logger.error(`The leak endpoint could not fetch the reporter's keys from ${url}: ${(error as Error).message}`);
      })
      .finally(() => {
        this.fetching = undefined;
      });
    return this.fetching;
  }
}

function verifies(body: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    return verify('sha256', body, key, signature);
  } catch {
    // Not a DER signature at all.
    return false;
  }
}

/** `{ public_keys: [{ key_identifier, key }] }`, as GitHub publishes them; entries that are not P-256 keys are left out. */
async function fetchKeys(url: string): Promise<Map<string, KeyObject>> {
  const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  const { public_keys: entries } = (await response.json()) as { public_keys?: unknown };
  if (!Array.isArray(entries)) throw new Error('the answer has no public_keys array');
  const keys = new Map<string, KeyObject>();
  for (const entry of entries as Array<{ key_identifier?: unknown; key?: unknown }>) {
    const key = p256PublicKey(entry?.key);
    if (typeof entry?.key_identifier === 'string' && key) keys.set(entry.key_identifier, key);
  }
  return keys;
}
