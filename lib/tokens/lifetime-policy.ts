import { KeysmithValidationError } from '../errors/keysmith-validation.error.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { grantsScope } from './scopes.js';

const DAY_MS = 24 * 60 * 60 * 1000;

type LifetimeOptions = Pick<ResolvedKeysmithOptions, 'defaultExpiryDays' | 'maxExpiryDays' | 'maxExpiryDaysByScope'>;

/** The longest a token may live, in days, and the option that says so. */
export interface LifetimeLimit {
  days: number;
  /** `maxExpiryDays`, or `maxExpiryDaysByScope['keysmith:admin']`. */
  setBy: string;
}

/**
 * The strictest limit on a token with these scopes: `maxExpiryDays`, and the limit of each scope
 * they grant (a wildcard such as `keysmith:*` grants `keysmith:admin`, and is held to its limit).
 */
export function lifetimeLimit(scopes: readonly string[], options: LifetimeOptions): LifetimeLimit | null {
  let limit: LifetimeLimit | null = options.maxExpiryDays === null ? null : { days: options.maxExpiryDays, setBy: 'maxExpiryDays' };
  for (const [scope, days] of Object.entries(options.maxExpiryDaysByScope)) {
    const granted = scopes.some((held) => grantsScope(held, scope));
    if (granted && (limit === null || days < limit.days)) {
      limit = { days, setBy: `maxExpiryDaysByScope['${scope}']` };
    }
  }
  return limit;
}

/**
 * The expiry of a token with these scopes, asked for at `now`: `requested` (a `Date`, or `null`
 * for never), or when it is left out the default expiry, shortened to the limit. A requested
 * expiry past the limit, or none under a limit, is refused with a `KeysmithValidationError`
 * naming `expiresAt` and the limit.
 */
export function expiryWithinLimit(requested: unknown, scopes: readonly string[], options: LifetimeOptions, now: number): Date | null {
  if (requested !== undefined && requested !== null && !(requested instanceof Date && !Number.isNaN(requested.getTime()))) {
    throw new KeysmithValidationError('expiresAt must be a valid Date, or null for a token that never expires.', 'expiresAt');
  }
  const limit = lifetimeLimit(scopes, options);
  const latest = limit === null ? null : new Date(now + limit.days * DAY_MS);
  if (requested === undefined) {
    const days = options.defaultExpiryDays;
    const expiry = days === null ? null : new Date(now + days * DAY_MS);
    return latest !== null && (expiry === null || expiry > latest) ? latest : expiry;
  }
  if (limit === null || latest === null) return requested;
  if (requested === null) {
    throw new KeysmithValidationError(
      `expiresAt: a token must expire within ${limit.days} days (${limit.setBy}); it cannot be made to never expire.`,
      'expiresAt',
    );
  }
  if (requested > latest) {
    throw new KeysmithValidationError(
      `expiresAt ${requested.toISOString()} is past the limit of ${limit.days} days (${limit.setBy}); the latest allowed is ${latest.toISOString()}.`,
      'expiresAt',
    );
  }
  return requested;
}
