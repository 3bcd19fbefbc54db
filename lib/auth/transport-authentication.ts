import { Logger } from '@nestjs/common';
import type { AuditLogService } from '../audit/audit-log.service.js';
import type { Token } from '../entities/token.entity.js';
import { KEYSMITH_REQUEST_TOKEN, KEYSMITH_REQUEST_USER } from '../keysmith.constants.js';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { extractToken } from '../request/extract-token.js';
import type { RawResponse } from '../request/get-request.js';
import { clientIp } from '../request/request-metadata.js';
import { successExtra, type AuthenticationFailure } from './authentication.js';
import { UNAVAILABLE, missingTokenRefusal, refusalOf, type Refusal } from './refusal.js';
import type { TokenAuthenticator } from './token-authenticator.js';

/** What a transport learns of the token a request or a connection carries: its token and user, or its refusal. */
export type TransportOutcome = { token: Token; user: unknown; refusal: null } | { token: null; user: null; refusal: Refusal };

/**
 * `KeysmithGuard`'s decision for transports that have no route: a Passport strategy, a Socket.IO
 * handshake, a GraphQL over WebSocket connection. The same `TokenAuthenticator`, the same
 * refusals (status and configured message) and the same `auth_success` / `auth_failed` rows.
 */
export class TransportAuthentication {
  private readonly logger = new Logger(LOGGER_CONTEXT);

  constructor(
    private readonly authenticator: TokenAuthenticator,
    private readonly auditLog: AuditLogService,
    private readonly options: ResolvedKeysmithOptions,
  ) {}

  /** The raw token of an HTTP request, a Socket.IO socket, a GraphQL over WebSocket context or a message. */
  extractToken(request: unknown): string | null {
    return extractToken(request, this.options);
  }

  /**
   * Authenticates `rawToken` as the guard does on a route that needs a token, and audits the
   * outcome with the request's path, address and user agent (`response`, when given, gives the
   * row its final status). Wrong secrets count against the request's address.
   */
  async authenticate(request: unknown, rawToken: string | null, response?: RawResponse): Promise<TransportOutcome> {
    if (!this.auditLog.accepting) return refused(UNAVAILABLE);
    if (rawToken === null) return this.refuse(missingTokenRefusal(this.options.errorMessages), request, response);
    try {
      const authentication = await this.authenticator.authenticate(rawToken, { ip: () => clientIp(request) });
      if (authentication.failure) return this.refuse(refusalOf(authentication.failure, this.options.errorMessages), request, response);
      const { token } = authentication;
      const user = await this.authenticator.userOf(token);
      this.auditLog.recordOnResponse(
        { action: 'auth_success', tokenId: token.id, extra: successExtra(authentication.secret) },
        request,
        response,
      );
      return { token, user, refusal: null };
    } catch (error) {
      this.logger.error(`Token authentication could not complete: ${(error as Error)?.message}`, (error as Error)?.stack);
      return refused(UNAVAILABLE);
    }
  }

  /**
   * Whether a raw token that authenticated a connection (from `request`) still does, after a
   * change of its token: `null` when it does, else its refusal. The token's `allowedIps` are
   * checked against the connection's address again; no failed attempt is counted; a database that
   * does not answer refuses (503), so that a connection is never kept on a state nobody could check.
   */
  async recheck(rawToken: string, request: unknown): Promise<Refusal | null> {
    let failure: AuthenticationFailure | null;
    try {
      failure = (await this.authenticator.authenticate(rawToken, { ip: () => clientIp(request), countsFailedAttempts: false })).failure;
    } catch (error) {
      this.logger.error(`Could not check a connection's token again: ${(error as Error)?.message}`);
      return UNAVAILABLE;
    }
    return failure && refusalOf(failure, this.options.errorMessages);
  }

  /** Audits the refusal of a request or of a connection that was let in before. */
  auditRefusal(refusal: Refusal, request: unknown, response?: RawResponse): void {
    if (refusal.audit) this.auditLog.recordOnResponse({ action: 'auth_failed', ...refusal.audit }, request, response);
  }

  private refuse(refusal: Refusal, request: unknown, response: RawResponse | undefined): TransportOutcome {
    this.auditRefusal(refusal, request, response);
    return refused(refusal);
  }
}

/** Puts the token and user where `@KeysmithToken()`, `@KeysmithUser()` and a later `KeysmithGuard` read them. */
export function attachToken(carrier: unknown, token: Token | null, user: unknown): void {
  if (!carrier || typeof carrier !== 'object') return;
  const target = carrier as Record<string, unknown>;
  target[KEYSMITH_REQUEST_TOKEN] = token;
  target[KEYSMITH_REQUEST_USER] = user;
}

const refused = (refusal: Refusal): TransportOutcome => ({ token: null, user: null, refusal });
