import { createPublicKey, type KeyObject } from 'node:crypto';
import { KeysmithConfigurationError } from '../errors/keysmith-configuration.error.js';
import { fractionalNumber, oneOf, show, wholeNumber } from '../options/option-checks.js';
import { normalizeMountPath } from '../request/mount-path.js';
import type { KeysmithLeakOptions, LeakAction } from './keysmith-leak-options.interface.js';

export const KEYSMITH_LEAK_DEFAULT_PATH = '/keysmith/leaks';
/** Where GitHub publishes the keys that sign its secret scanning reports. */
export const GITHUB_SECRET_SCANNING_KEYS_URL = 'https://api.github.com/meta/public_keys/secret_scanning';
export const LEAK_ACTIONS: readonly LeakAction[] = ['revoke', 'notify'];

const OPTION_NAMES = ['path', 'publicKeys', 'publicKeysUrl', 'publicKeysCacheSeconds', 'action', 'maxBodyBytes'];

/** Where the verifying keys come from: given, or fetched and kept for `cacheMs`. */
export type ReporterKeySource = { keys: ReadonlyMap<string, KeyObject> } | { url: string; cacheMs: number };

export interface ResolvedLeakOptions {
  path: string;
  keys: ReporterKeySource;
  action: LeakAction;
  maxBodyBytes: number;
}

/** Applies the defaults and validates; throws `KeysmithConfigurationError` naming the option. */
export function resolveLeakOptions(options: KeysmithLeakOptions): ResolvedLeakOptions {
  const unknown = Object.keys(options).find((name) => !OPTION_NAMES.includes(name));
  if (unknown !== undefined)
    throw new KeysmithConfigurationError(leakOption(unknown), `no such option. Known options: ${OPTION_NAMES.join(', ')}.`);
  if (options.publicKeys !== undefined && options.publicKeysUrl !== undefined) {
    throw new KeysmithConfigurationError(leakOption('publicKeys'), 'give publicKeys or publicKeysUrl, not both.');
  }
  return {
    path: normalizeMountPath(options.path ?? KEYSMITH_LEAK_DEFAULT_PATH, leakOption('path')),
    keys:
      options.publicKeys !== undefined
        ? { keys: givenKeys(options.publicKeys) }
        : {
            url: httpUrl(options.publicKeysUrl ?? GITHUB_SECRET_SCANNING_KEYS_URL, leakOption('publicKeysUrl')),
            cacheMs: 1_000 * fractionalNumber(1, 604_800)(options.publicKeysCacheSeconds ?? 3_600, leakOption('publicKeysCacheSeconds')),
          },
    action: oneOf(LEAK_ACTIONS)(options.action ?? 'revoke', leakOption('action')),
    maxBodyBytes: wholeNumber(2, 100 * 1024 * 1024)(options.maxBodyBytes ?? 65_536, leakOption('maxBodyBytes')),
  };
}

/** An ECDSA P-256 public key from its PEM, or `null` for anything else. */
export function p256PublicKey(pem: unknown): KeyObject | null {
  if (typeof pem !== 'string') return null;
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? key : null;
  } catch {
    return null;
  }
}

function givenKeys(given: unknown): Map<string, KeyObject> {
  const option = leakOption('publicKeys');
  if (!Array.isArray(given) || given.length === 0) {
    throw new KeysmithConfigurationError(option, `expected a non-empty array of { key_identifier, key }; got ${show(given)}.`);
  }
  const keys = new Map<string, KeyObject>();
  for (const [index, entry] of given.entries()) {
    const { key_identifier: id, key } = (entry ?? {}) as { key_identifier?: unknown; key?: unknown };
    const publicKey = p256PublicKey(key);
    if (typeof id !== 'string' || id.length === 0 || !publicKey) {
      throw new KeysmithConfigurationError(
        `${option}[${index}]`,
        'expected { key_identifier: a non-empty string, key: the PEM of an ECDSA P-256 public key }.',
      );
    }
    keys.set(id, publicKey);
  }
  return keys;
}

function httpUrl(value: unknown, option: string): string {
  if (typeof value === 'string' && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)) return value;
  throw new KeysmithConfigurationError(option, `expected an http(s) URL; got ${show(value)}.`);
}

function leakOption(name: string): string {
  return `KeysmithLeakModule ${name}`;
}
