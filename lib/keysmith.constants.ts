/**
 * Injection token of the resolved options (defaults applied, validated).
 * A `Symbol.for` key, so two copies of the package in one process still agree on it.
 */
export const KEYSMITH_OPTIONS = Symbol.for('nestjs-keysmith:options');

/** Default `errorMessages`: the bodies the guard answers with. */
export const DEFAULT_ERROR_MESSAGES = {
  missingToken: 'Authentication credentials were not provided.',
  invalidToken: 'Your session has expired or the token is invalid.',
  insufficientScope: 'You do not have permission to perform this action.',
  ipNotAllowed: 'This token cannot be used from your network address.',
  rateLimited: 'Too many authentication attempts. Try again later.',
} as const;

/** Property of the request that holds the authenticated `Token` (or `null` for an anonymous request). */
export const KEYSMITH_REQUEST_TOKEN = 'keysmithToken';

/** Property of the request that holds the resolved user (or `null`). */
export const KEYSMITH_REQUEST_USER = 'keysmithUser';
