import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { AuditLogService } from '../audit/audit-log.service.js';
import { exceptionOf } from '../auth/refusal.js';
import { TokenAuthenticator } from '../auth/token-authenticator.js';
import { TransportAuthentication, attachToken } from '../auth/transport-authentication.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { rawResponseOf } from '../request/get-request.js';
import { at } from '../request/property.js';
import { KeysmithPassportStrategy } from './keysmith-passport.strategy.js';

/** The name `AuthGuard('keysmith')` (or `AuthGuard(['jwt', 'keysmith'])`) knows the strategy by. */
export const KEYSMITH_STRATEGY = 'keysmith';

/**
 * A `@nestjs/passport` strategy named `'keysmith'`: `AuthGuard('keysmith')`, or beside other
 * strategies `AuthGuard(['jwt', 'keysmith'])`, which accepts a request that either authenticates.
 *
 * It authenticates the token as `KeysmithGuard` does, with the same audit rows and, for a token
 * that does not authenticate, the same refusal (401 `invalidToken`, 429 `rateLimited`, 503), which
 * ends the attempt. A request without a token fails this strategy without an audit row, so that
 * the next one is tried. The token and its user are where `@KeysmithToken()` and `@KeysmithUser()`
 * read them; `request.user` is the user, or the token when `resolveUser` gives none.
 */
@Injectable()
export class KeysmithStrategy extends PassportStrategy(KeysmithPassportStrategy, KEYSMITH_STRATEGY) {
  private readonly authentication: TransportAuthentication;

  constructor(
    @Inject(TokenAuthenticator) authenticator: TokenAuthenticator,
    @Inject(AuditLogService) auditLog: AuditLogService,
    @Inject(KEYSMITH_OPTIONS) options: ResolvedKeysmithOptions,
  ) {
    const authentication = new TransportAuthentication(authenticator, auditLog, options);
    super({
      readToken: (request: unknown) => authentication.extractToken(request),
      missingTokenMessage: options.errorMessages.missingToken,
    });
    this.authentication = authentication;
  }

  /** What passport stores as `request.user`: the user, or the token when there is none. Throws the refusal. */
  async validate(request: unknown, rawToken: string): Promise<unknown> {
    // Express gives its request the response; Fastify does not, and its rows keep no status.
    const { token, user, refusal } = await this.authentication.authenticate(request, rawToken, rawResponseOf(at(request, 'res')));
    if (refusal) throw exceptionOf(refusal);
    attachToken(request, token, user);
    return user ?? token;
  }
}
