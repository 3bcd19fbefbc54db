import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { AuthFailureCode } from '../entities/token-audit-log.entity.js';
import type { Token } from '../entities/token.entity.js';

/** Why a token was not accepted; recorded as `extra.reason` of the audit row. */
export type InvalidTokenReason = 'malformed' | 'checksum_mismatch' | 'unknown_prefix' | 'wrong_secret';

/**
 * A token that did not authenticate. The guard answers every one of these with the same
 * `invalidToken` message; the subclass and `code` are for the audit log and for code that calls
 * `TokenService.authenticate()` itself.
 */
export abstract class TokenAuthError extends UnauthorizedException {
  abstract readonly code: Extract<
    AuthFailureCode,
    'invalid_token' | 'revoked_token' | 'expired_token' | 'disabled_token' | 'rotated_secret'
  >;

  protected constructor(
    message: string,
    /** The token the prefix named, when there was one. */
    readonly token: Token | null,
  ) {
    super(message);
  }
}

export class InvalidTokenError extends TokenAuthError {
  readonly code = 'invalid_token';

  constructor(
    readonly reason: InvalidTokenReason,
    token: Token | null = null,
  ) {
    super(`Invalid token (${reason.replace('_', ' ')}).`, token);
  }
}

export class RevokedTokenError extends TokenAuthError {
  readonly code = 'revoked_token';

  constructor(token: Token) {
    super(`Token ${token.prefix} has been ${token.purged ? 'purged' : 'revoked'}.`, token);
  }
}

export class ExpiredTokenError extends TokenAuthError {
  readonly code = 'expired_token';

  constructor(token: Token) {
    super(`Token ${token.prefix} expired on ${token.expiresAt?.toISOString()}.`, token);
  }
}

/** A token switched off by `disable()`; `enable()` makes it work again. */
export class DisabledTokenError extends TokenAuthError {
  readonly code = 'disabled_token';

  constructor(token: Token) {
    super(`Token ${token.prefix} is disabled.`, token);
  }
}

/**
 * The secret a rotation replaced, used after its grace period (`rotate(ref, { graceSeconds })`)
 * ended: a copy of the old raw token that was leaked or forgotten.
 */
export class RotatedSecretError extends TokenAuthError {
  readonly code = 'rotated_secret';

  constructor(token: Token) {
    super(`Token ${token.prefix} was rotated; this is its previous secret, whose grace period has ended.`, token);
  }
}

/**
 * A token with `allowedIps` sent from an address outside them (or from an unknown one). A 403:
 * the secret was right, the place is not.
 */
export class IpNotAllowedError extends ForbiddenException {
  readonly code = 'ip_not_allowed';

  constructor(
    /** The token, whose secret was proven. */
    readonly token: Token,
    /** The client's address, `null` when the request gave none. */
    readonly ip: string | null,
  ) {
    super(`Token ${token.prefix} is not allowed from ${ip ?? 'an unknown address'}.`);
  }
}
