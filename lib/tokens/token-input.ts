import { KeysmithValidationError } from '../errors/keysmith-validation.error.js';
import { allowlistEntryProblem } from './ip-allowlist.js';
import { metadataProblem, type TokenMetadata } from './metadata.js';
import { isAvailable, wildcardProblem } from './scopes.js';

/** Longest grace period of a rotation: a year. */
export const MAX_GRACE_SECONDS = 365 * 24 * 60 * 60;

/** Most entries in a token's `allowedIps`. */
export const MAX_ALLOWED_IPS = 100;

/** A token's scopes, each once; refuses a scope `availableScopes` does not grant and a bad wildcard. */
export function validScopes(scopes: unknown, availableScopes: readonly string[]): string[] {
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string' && scope.length > 0)) {
    throw new KeysmithValidationError('Scopes must be an array of non-empty strings.', 'scopes');
  }
  for (const scope of scopes as string[]) {
    const problem = wildcardProblem(scope, availableScopes);
    if (problem) throw new KeysmithValidationError(`scopes: ${problem}.`, 'scopes');
  }
  const unknown = (scopes as string[]).filter((scope) => !isAvailable(scope, availableScopes));
  if (unknown.length > 0) {
    throw new KeysmithValidationError(
      `Unknown scope ${unknown.map((scope) => `"${scope}"`).join(', ')}; available scopes: ${availableScopes.join(', ')}.`,
      'scopes',
    );
  }
  return [...new Set(scopes as string[])];
}

/** The metadata to store: a JSON object within `maxMetadataBytes`, or `null` for none. */
export function validMetadata(metadata: unknown, maxBytes: number): TokenMetadata | null {
  if (metadata === null) return null;
  const problem = metadataProblem(metadata, maxBytes);
  if (problem) throw new KeysmithValidationError(`${problem}.`, 'metadata');
  return metadata as TokenMetadata;
}

/** The allowlist to store, each entry once; `null` (from anywhere) for `null` or `[]`. */
export function validAllowedIps(allowedIps: unknown): string[] | null {
  if (allowedIps === null) return null;
  if (!Array.isArray(allowedIps) || !allowedIps.every((entry) => typeof entry === 'string')) {
    throw new KeysmithValidationError('allowedIps must be an array of IP addresses and CIDR ranges, or null.', 'allowedIps');
  }
  if (allowedIps.length > MAX_ALLOWED_IPS) {
    throw new KeysmithValidationError(`allowedIps has ${allowedIps.length} entries; the limit is ${MAX_ALLOWED_IPS}.`, 'allowedIps');
  }
  const entries = allowedIps.map((entry) => entry.trim());
  for (const entry of entries) {
    const problem = allowlistEntryProblem(entry);
    if (problem) throw new KeysmithValidationError(`allowedIps: ${problem}.`, 'allowedIps');
  }
  return entries.length === 0 ? null : [...new Set(entries)];
}

/** A rotation's grace period: a whole number of seconds from 0 to a year. */
export function validGraceSeconds(graceSeconds: unknown): number {
  if (typeof graceSeconds !== 'number' || !Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS) {
    throw new KeysmithValidationError(
      `graceSeconds must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS} (365 days); got ${String(graceSeconds)}.`,
      'graceSeconds',
    );
  }
  return graceSeconds;
}
