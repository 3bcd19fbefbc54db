import type { Token } from '../entities/token.entity.js';
import {
  DisabledTokenError,
  ExpiredTokenError,
  InvalidTokenError,
  IpNotAllowedError,
  RevokedTokenError,
  RotatedSecretError,
  type InvalidTokenReason,
  type TokenAuthError,
} from '../errors/token-auth.errors.js';

/** Which of a token's secrets a raw token holds: its current one, or the one a rotation with a grace period replaced. */
export type MatchedSecret = 'current' | 'previous';

/** Why a raw token did not authenticate: the audit row's `error_code` and `extra.reason`. */
export interface AuthenticationFailure {
  code: TokenAuthError['code'] | IpNotAllowedError['code'] | 'rate_limited';
  /**
   * Why an invalid token is invalid; for a refused attempt, `failed_attempts`, or
   * `limits_unavailable` when Redis did not answer and `limitsOnRedisError` is `'deny'`.
   */
  reason: InvalidTokenReason | AttemptRefusalReason | null;
  /** The token its prefix named, when one was found (its secret may still have been wrong). */
  token: Token | null;
  /** The token's prefix, when the attempt was refused for the failures before it. */
  prefix: string | null;
}

/**
 * What `TokenAuthenticator.authenticate()` found: the token and which of its secrets was sent
 * (`previous` during a rotation's grace period), or why there is none.
 */
export type Authentication =
  { token: Token; failure: null; secret: MatchedSecret } | { token: null; failure: AuthenticationFailure; secret?: undefined };

/** The `extra` of an `auth_success` row: `{ secret: 'previous' }` for a rotation's previous secret, else nothing. */
export function successExtra(secret: MatchedSecret): Record<string, unknown> {
  return secret === 'previous' ? { secret } : {};
}

/** Why the failed-attempts limit refused an attempt. */
export type AttemptRefusalReason = 'failed_attempts' | 'limits_unavailable';

/** Thrown inside a verification that the failed-attempts limit refused to start. */
export class AttemptsExceededError extends Error {
  constructor(
    readonly prefix: string,
    readonly reason: AttemptRefusalReason = 'failed_attempts',
  ) {
    super(reason === 'failed_attempts' ? `Too many failed attempts for ${prefix}.` : `Failed attempts for ${prefix} cannot be counted.`);
  }
}

export function failureOf(error: TokenAuthError | IpNotAllowedError | AttemptsExceededError): Authentication {
  if (error instanceof AttemptsExceededError) {
    return { token: null, failure: { code: 'rate_limited', reason: error.reason, token: null, prefix: error.prefix } };
  }
  const reason = error instanceof InvalidTokenError ? error.reason : null;
  return { token: null, failure: { code: error.code, reason, token: error.token, prefix: null } };
}

/** The error `TokenService.authenticate()` throws for a failure. */
export function errorOf(failure: AuthenticationFailure, ip: string | null = null): TokenAuthError | IpNotAllowedError {
  const { code, reason, token } = failure;
  if (code === 'revoked_token' && token) return new RevokedTokenError(token);
  if (code === 'expired_token' && token) return new ExpiredTokenError(token);
  if (code === 'disabled_token' && token) return new DisabledTokenError(token);
  if (code === 'rotated_secret' && token) return new RotatedSecretError(token);
  if (code === 'ip_not_allowed' && token) return new IpNotAllowedError(token, ip);
  return new InvalidTokenError(
    reason === 'failed_attempts' || reason === 'limits_unavailable' || reason === null ? 'malformed' : reason,
    token,
  );
}
