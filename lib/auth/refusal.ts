import { ForbiddenException, HttpException, HttpStatus, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import type { AuthFailureCode } from '../entities/token-audit-log.entity.js';
import type { KeysmithErrorMessages } from '../options/keysmith-options.interface.js';
import type { AuthenticationFailure } from './authentication.js';

/** The answer when authentication cannot complete through no fault of the client (the database is down). */
export const UNAVAILABLE_MESSAGE = 'Authentication is temporarily unavailable. Try again later.';

/** The `auth_failed` audit row of a refusal. */
export interface RefusalAudit {
  /** The token the prefix named, when one was found. */
  tokenId: string | null;
  extra: { error_code: AuthFailureCode } & Record<string, unknown>;
}

/**
 * How a refused authentication is answered and audited, the same on every transport: the HTTP
 * status (other transports send it as `statusCode`), the configured message, and the audit row.
 */
export interface Refusal {
  /** 401, 403, 429 or 503. */
  status: HttpStatus;
  message: string;
  /** `null` for a 503: the client did nothing to audit. */
  audit: RefusalAudit | null;
}

/**
 * The refusal of a token that did not authenticate: 429 `rateLimited` after too many failed
 * attempts, 403 `ipNotAllowed` from outside the token's `allowedIps`, else 401 `invalidToken`.
 */
export function refusalOf(failure: AuthenticationFailure, messages: KeysmithErrorMessages): Refusal {
  const { code, reason, token, prefix } = failure;
  const [status, message] =
    code === 'rate_limited'
      ? [HttpStatus.TOO_MANY_REQUESTS, messages.rateLimited]
      : code === 'ip_not_allowed'
        ? [HttpStatus.FORBIDDEN, messages.ipNotAllowed]
        : [HttpStatus.UNAUTHORIZED, messages.invalidToken];
  return {
    status,
    message,
    audit: { tokenId: token?.id ?? null, extra: { error_code: code, ...(reason && { reason }), ...(prefix && { prefix }) } },
  };
}

export function missingTokenRefusal(messages: KeysmithErrorMessages): Refusal {
  return {
    status: HttpStatus.UNAUTHORIZED,
    message: messages.missingToken,
    audit: { tokenId: null, extra: { error_code: 'missing_token' } },
  };
}

/**
 * The refusal of a token that lacks scopes a route requires: `missing_scopes` lists those of the
 * all-of form it lacks, `missing_any_of` each `anyOf` list of which it has none.
 */
export function insufficientScopeRefusal(
  tokenId: string,
  missingScopes: readonly string[],
  unmetAnyOf: ReadonlyArray<readonly string[]>,
  messages: KeysmithErrorMessages,
): Refusal {
  const extra = {
    error_code: 'insufficient_scope' as const,
    missing_scopes: missingScopes,
    ...(unmetAnyOf.length > 0 && { missing_any_of: unmetAnyOf }),
  };
  return { status: HttpStatus.FORBIDDEN, message: messages.insufficientScope, audit: { tokenId, extra } };
}

/**
 * The refusal of a proven token over its rate limit (`token_rate_limit`) or out of quota
 * (`quota_exhausted`), or refused because Redis could not count it and `limitsOnRedisError` is
 * `'deny'` (`limits_unavailable`).
 */
export function tokenRateLimitRefusal(tokenId: string, reason: string, messages: KeysmithErrorMessages): Refusal {
  return {
    status: HttpStatus.TOO_MANY_REQUESTS,
    message: messages.rateLimited,
    audit: { tokenId, extra: { error_code: 'rate_limited', reason } },
  };
}

export const UNAVAILABLE: Refusal = { status: HttpStatus.SERVICE_UNAVAILABLE, message: UNAVAILABLE_MESSAGE, audit: null };

/** The HTTP exception of a refusal, as `KeysmithGuard` throws it. */
export function exceptionOf(refusal: Refusal): HttpException {
  switch (refusal.status) {
    case HttpStatus.UNAUTHORIZED:
      return new UnauthorizedException(refusal.message);
    case HttpStatus.FORBIDDEN:
      return new ForbiddenException(refusal.message);
    case HttpStatus.SERVICE_UNAVAILABLE:
      return new ServiceUnavailableException(refusal.message);
    default:
      return new HttpException(refusal.message, refusal.status);
  }
}
