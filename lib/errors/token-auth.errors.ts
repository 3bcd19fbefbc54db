import { UnauthorizedException } from '@nestjs/common';
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
  abstract readonly code: Extract<AuthFailureCode, 'invalid_token' | 'revoked_token' | 'expired_token'>;

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
