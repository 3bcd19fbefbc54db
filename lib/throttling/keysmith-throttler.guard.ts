import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import { handOver, takeOver } from '../auth/authentication-handoff.js';
import { TokenAuthenticator } from '../auth/token-authenticator.js';
import { prefixOf } from '../token-format/token-format.js';
import { extractToken } from '../request/extract-token.js';
import { getRawResponse, getRequest } from '../request/get-request.js';
import { clientIp } from '../request/request-metadata.js';
import { toWsException } from '../request/ws-exception.js';

/** Start of the tracker of a request that sends a token; the token's prefix follows. */
export const KEYSMITH_TOKEN_TRACKER_PREFIX = 'keysmith-token:';

/** Start of the tracker of a request without a token; its client IP follows. */
export const KEYSMITH_IP_TRACKER_PREFIX = 'keysmith-ip:';

/**
 * `@nestjs/throttler`'s guard, counting requests per API token instead of per IP.
 *
 * - The tracker is the token's prefix (`tok_ab12CD34`), read from the same header (or handshake,
 *   or query parameter) as `KeysmithGuard` reads, once the token has proved its secret: it was
 *   verified within the cache TTL (no hash, no query to find out), or is verified here, a
 *   verification `KeysmithGuard` then uses rather than repeating. Any other request (no token, a
 *   malformed one, a wrong secret) is counted by its client IP, as `ThrottlerGuard` does, so
 *   knowing a prefix does not let anyone spend its owner's quota.
 * - Counts live in the throttler's own storage (`ThrottlerModule.forRoot({ storage })`), so a
 *   shared storage such as Redis limits a token across every instance.
 * - A blocked request gets 429 with the `rateLimited` message of the keysmith options (not the
 *   throttler's `errorMessage`) and an `auth_failed` audit row with `error_code: 'rate_limited'`.
 *
 * Needs `ThrottlerModule` (global) and `KeysmithModule` (global by default). Use it before
 * `KeysmithGuard`, so a request of a proven token over its limit costs no authentication:
 * `@UseGuards(KeysmithThrottlerGuard, KeysmithGuard)`, or as an `APP_GUARD` listed first.
 *
 * A token's first request after each cache expiry counts against its client's address. Add a
 * named throttler with its own `getTracker: (req) => req.ip` to also cap each client IP.
 */
@Injectable()
export class KeysmithThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storageService: ThrottlerStorage,
    @Inject(Reflector) reflector: Reflector,
    @Inject(KEYSMITH_OPTIONS) protected readonly keysmithOptions: ResolvedKeysmithOptions,
    @Inject(AuditLogService) protected readonly auditLog: AuditLogService,
    @Inject(TokenAuthenticator) protected readonly authenticator: TokenAuthenticator,
  ) {
    super(options, storageService, reflector);
  }

  /**
   * `keysmith-token:<prefix>` for a request whose token proves its secret, else
   * `keysmith-ip:<client IP>`: a request that only names a prefix must not spend the quota of the
   * token's owner. A token verified within the cache TTL is proven at once; a well-formed one not
   * verified yet is verified here, and `KeysmithGuard` uses that verification.
   */
  protected override async getTracker(request: Record<string, any>): Promise<string> {
    const rawToken = extractToken(request, this.keysmithOptions);
    const prefix = rawToken === null ? null : prefixOf(rawToken);
    if (prefix !== null && (await this.proves(request, rawToken!))) return `${KEYSMITH_TOKEN_TRACKER_PREFIX}${prefix}`;
    // A socket has no `ip`: its handshake address stands in.
    const byIp = typeof request?.ip === 'string' ? request : { ip: clientIp(request) ?? 'unknown' };
    return `${KEYSMITH_IP_TRACKER_PREFIX}${await super.getTracker(byIp)}`;
  }

  private async proves(request: Record<string, any>, rawToken: string): Promise<boolean> {
    if (this.authenticator.isProven(rawToken)) {
      takeOver(request, rawToken); // a hand-over left by an earlier message of this socket is stale
      return true;
    }
    const authentication = await this.authenticator.authenticate(rawToken, { ip: () => clientIp(request) });
    if (authentication.failure || !this.authenticator.caches) handOver(request, rawToken, authentication);
    return authentication.failure === null;
  }

  /** The request and response of an HTTP, GraphQL or WebSocket context (the throttler reads HTTP only). */
  protected override getRequestResponse(context: ExecutionContext): { req: Record<string, any>; res: Record<string, any> } {
    if (context.getType<string>() === 'http') return super.getRequestResponse(context);
    const req = objectOr(getRequest(context));
    return { req, res: objectOr(req.res) };
  }

  /**
   * 429 with the `rateLimited` message, audited as `auth_failed` / `rate_limited` (in a WebSocket
   * context, a `WsException` with `statusCode: 429`, as `KeysmithGuard` sends its refusals).
   */
  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const request = getRequest(context);
    const extra: Record<string, unknown> = { error_code: 'rate_limited', reason: 'throttler' };
    if (detail.tracker.startsWith(KEYSMITH_TOKEN_TRACKER_PREFIX)) extra.prefix = detail.tracker.slice(KEYSMITH_TOKEN_TRACKER_PREFIX.length);
    this.auditLog.recordOnResponse({ action: 'auth_failed', tokenId: null, extra }, request, getRawResponse(context));
    const exception = new ThrottlerException(this.keysmithOptions.errorMessages.rateLimited);
    throw context.getType<string>() === 'ws' ? await toWsException(exception, context) : exception;
  }
}

/** The value when it is an object, else an empty one (what the throttler reads of a request it cannot use). */
const objectOr = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
