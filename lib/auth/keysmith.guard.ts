import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthFailureCode, TokenAuditAction } from '../entities/token-audit-log.entity.js';
import type { Token } from '../entities/token.entity.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import { extractToken } from '../request/extract-token.js';
import { getRawResponse, getRequest } from '../request/get-request.js';
import { clientIp } from '../request/request-metadata.js';
import { toRpcException } from '../request/rpc-exception.js';
import { toWsException } from '../request/ws-exception.js';
import { successExtra, type Authentication, type AuthenticationFailure } from './authentication.js';
import { takeOver } from './authentication-handoff.js';
import {
  UNAVAILABLE_MESSAGE,
  exceptionOf,
  insufficientScopeRefusal,
  missingTokenRefusal,
  refusalOf,
  tokenRateLimitRefusal,
  type Refusal,
} from './refusal.js';
import { TokenRateLimiter } from '../limits/token-rate-limiter.js';
import { TokenQuotas } from '../limits/token-quotas.js';
import { setRateLimitHeaders } from '../limits/rate-limit-headers.js';
import { RoutePolicies } from './route-policies.js';
import { TokenAuthenticator } from './token-authenticator.js';
import { attachToken } from './transport-authentication.js';

/**
 * Authenticates the token of a request, checks its scopes and hands the token and its user to
 * the handler. Each step is a protected method, so a subclass can change one without the rest.
 * Whether a token authenticates is `TokenAuthenticator`'s decision; the guard turns it into a
 * response and an audit row.
 */
@Injectable()
export class KeysmithGuard implements CanActivate {
  protected readonly logger = new Logger(LOGGER_CONTEXT);
  private readonly routePolicies: RoutePolicies;
  private readonly servesFromCache: boolean;
  /** Tokens `authenticate` accepted with the previous secret of a rotation, for their `auth_success` row. */
  private readonly withPreviousSecret = new WeakSet<Token>();
  /** Injected as a property, so that a subclass's constructor keeps the four arguments it passes. */
  @Inject(TokenRateLimiter) protected readonly rateLimiter!: TokenRateLimiter;
  @Inject(TokenQuotas) protected readonly quotas!: TokenQuotas;

  constructor(
    @Inject(Reflector) protected readonly reflector: Reflector,
    @Inject(TokenAuthenticator) protected readonly authenticator: TokenAuthenticator,
    @Inject(AuditLogService) protected readonly auditLog: AuditLogService,
    @Inject(KEYSMITH_OPTIONS) protected readonly options: ResolvedKeysmithOptions,
  ) {
    this.routePolicies = new RoutePolicies(reflector);
    // The cache path skips the hooks and the asynchronous steps, so it serves only a guard that
    // has neither hooks nor a subclass's own version of those steps.
    const prototype = KeysmithGuard.prototype;
    this.servesFromCache =
      !options.rateLimitHook &&
      !options.throttleHook &&
      this.authorize === prototype.authorize &&
      this.authenticate === prototype.authenticate &&
      this.checkRateLimit === prototype.checkRateLimit &&
      this.takeQuota === prototype.takeQuota &&
      this.resolveUser === prototype.resolveUser &&
      this.refuseWhileAuditIsFull === prototype.refuseWhileAuditIsFull;
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const type = context.getType<string>();
    if (type === 'ws') return this.authorizeSocket(context);
    if (type === 'rpc') return this.authorizeMessage(context);
    if (type === 'http' && this.servesFromCache && this.authorizeFromCache(context)) return true;
    return this.authorize(context);
  }

  /**
   * The flow of `canActivate`: the token, the hooks, authentication, scopes, the user. Its refusals
   * are HTTP exceptions; in a WebSocket or microservice context `canActivate` hands them to the
   * client as `WsException`s or `RpcException`s with the same message and status.
   */
  protected async authorize(context: ExecutionContext): Promise<boolean> {
    const route = this.routePolicies.of(context);
    if (route.isPublic) return true;
    this.refuseWhileAuditIsFull();
    const request: unknown = this.getRequest(context);

    const rawToken = this.extractToken(request);
    if (rawToken === null) {
      if (route.isOptional) {
        this.attach(request, null, null);
        return true;
      }
      const refusal = missingTokenRefusal(this.options.errorMessages);
      this.auditRefusal(context, refusal);
      this.throwUnauthorized(refusal.message);
    }

    const { rateLimitHook, throttleHook } = this.options;
    if (rateLimitHook) await this.runHook(context, null, () => rateLimitHook(request, rawToken));
    const token = await this.authenticate(context, rawToken);
    await this.checkRateLimit(context, token);
    await this.takeQuota(context, token);
    if (throttleHook) await this.runHook(context, token, () => throttleHook(request, token));
    this.checkScopes(context, token);

    this.attach(request, token, await this.resolveUser(token));
    this.audit(context, 'auth_success', token.id, successExtra(this.withPreviousSecret.has(token) ? 'previous' : 'current'));
    return true;
  }

  /**
   * The flow of `authorize` for a token verified within `cacheTtlSeconds` whose user is cached too,
   * done at once, with no promise: true when the request is let through. False when the full flow
   * must decide (no token, not cached, expired, the user not resolved yet); that flow then runs
   * from the start, so nothing is decided twice. A refusal of scopes is thrown from here as there.
   */
  private authorizeFromCache(context: ExecutionContext): boolean {
    const route = this.routePolicies.of(context);
    if (route.isPublic) return true;
    if (!this.auditLog.accepting) return false;
    const request: unknown = this.getRequest(context);
    const authentication = this.authenticator.authenticateCached(this.extractToken(request), { ip: () => clientIp(request) });
    if (!authentication || authentication.failure) return false;
    const { token } = authentication;
    // Counting a rate limit may wait for Redis: the full flow does it.
    if (this.rateLimiter.limitOf(token) || token.quotaRemaining !== null) return false;
    const cachedUser = this.authenticator.cachedUserOf(token);
    if (!cachedUser) return false;
    this.checkScopes(context, token);
    this.attach(request, token, cachedUser.user);
    this.audit(context, 'auth_success', token.id, successExtra(authentication.secret));
    return true;
  }

  /** `authorize` in a WebSocket context: refusals reach the client as `WsException`s. */
  private async authorizeSocket(context: ExecutionContext): Promise<boolean> {
    try {
      return await this.authorize(context);
    } catch (error) {
      throw error instanceof HttpException ? await toWsException(error, context) : error;
    }
  }

  /** `authorize` for a microservice message: refusals reach the client as `RpcException`s. */
  private async authorizeMessage(context: ExecutionContext): Promise<boolean> {
    try {
      return await this.authorize(context);
    } catch (error) {
      throw error instanceof HttpException ? await toRpcException(error) : error;
    }
  }

  /** The object that carries the token (see `getRequest` for the context types). */
  protected getRequest(context: ExecutionContext): any {
    return getRequest(context);
  }

  /**
   * The raw token from the configured header (for a Socket.IO client, its handshake's header or
   * `auth.token`), or from the query parameter when allowed.
   */
  protected extractToken(request: any): string | null {
    return extractToken(request, this.options);
  }

  /**
   * With `auditOnFailure: 'refuse'`, answers 503 while the audit log cannot hold another row,
   * rather than serving a request that would go unaudited.
   */
  protected refuseWhileAuditIsFull(): void {
    if (this.auditLog.accepting) return;
    throw new ServiceUnavailableException(UNAVAILABLE_MESSAGE);
  }

  /**
   * The token, or a refusal: every kind of bad token gets the one `invalidToken` message (401), a
   * token used from outside its `allowedIps` the `ipNotAllowed` one (403), a client over the
   * failed-attempts limit the `rateLimited` one (429), and a database that does not answer 503.
   */
  protected async authenticate(context: ExecutionContext, rawToken: string): Promise<Token> {
    const request: unknown = this.getRequest(context);
    let authentication: Authentication;
    try {
      authentication = takeOver(request, rawToken) ?? (await this.authenticator.authenticate(rawToken, { ip: () => clientIp(request) }));
    } catch (error) {
      // Not the client's fault (the database is down, say): a 401 would log users out.
      this.logger.error(`Token authentication could not complete: ${(error as Error)?.message}`, (error as Error)?.stack);
      throw new ServiceUnavailableException(UNAVAILABLE_MESSAGE);
    }
    if (authentication.failure) this.refuse(context, authentication.failure);
    if (authentication.secret === 'previous') this.withPreviousSecret.add(authentication.token);
    return authentication.token;
  }

  /**
   * Counts the request against the token's rate limit (its own, else `defaultRateLimit`), once the
   * token has proved its secret: over it, 429 with the `rateLimited` message. Over HTTP every
   * response of a limited token carries the `RateLimit-*` headers, and a refusal `Retry-After`.
   */
  protected async checkRateLimit(context: ExecutionContext, token: Token): Promise<void> {
    const rateLimit = this.rateLimiter.limitOf(token);
    if (!rateLimit) return;
    const decision = await this.rateLimiter.check(token, rateLimit);
    if (decision.window && context.getType<string>() === 'http') {
      setRateLimitHeaders(context.getArgByIndex<unknown>(1), decision.window, !decision.allowed);
    }
    if (decision.allowed) return;
    const refusal = tokenRateLimitRefusal(token.id, decision.reason, this.options.errorMessages);
    this.auditRefusal(context, refusal);
    this.throwRateLimited(refusal.message);
  }

  /**
   * Takes the route's cost (`@KeysmithCost(n)`, else 1) from the token's quota, if it has one, once
   * the token has proved its secret: when less is left, 429 with the `rateLimited` message. A
   * route that costs 0 does not touch the quota.
   */
  protected async takeQuota(context: ExecutionContext, token: Token): Promise<void> {
    const { cost } = this.routePolicies.of(context);
    if (token.quotaRemaining === null || cost === 0) return;
    const decision = await this.quotas.take(token, cost);
    if (decision.allowed) return;
    const refusal = tokenRateLimitRefusal(token.id, decision.reason, this.options.errorMessages);
    this.auditRefusal(context, refusal);
    this.throwRateLimited(refusal.message);
  }

  /**
   * Requires every scope named by `@KeysmithScopes(...)` on the handler and on its class, and one
   * scope of each `@KeysmithScopes({ anyOf })`; a granted wildcard (`notes:*`, `*`) counts for the
   * scopes it covers.
   */
  protected checkScopes(context: ExecutionContext, token: Token): void {
    const { scopes, anyOf } = this.routePolicies.of(context);
    const missing = scopes.filter((scope) => !token.hasScope(scope));
    const unmet = anyOf.filter((group) => !group.some((scope) => token.hasScope(scope)));
    if (missing.length === 0 && unmet.length === 0) return;
    const refusal = insufficientScopeRefusal(token.id, missing, unmet, this.options.errorMessages);
    this.auditRefusal(context, refusal);
    throw exceptionOf(refusal);
  }

  /**
   * The user of the token through the `resolveUser` option; `null` without either. Kept with the
   * verified token for `cacheTtlSeconds`, so a warm request does not query the user either.
   */
  protected resolveUser(token: Token): Promise<unknown> {
    return this.authenticator.userOf(token);
  }

  protected attach(request: any, token: Token | null, user: unknown): void {
    attachToken(request, token, user);
  }

  protected throwUnauthorized(message: string): never {
    throw new UnauthorizedException(message);
  }

  protected throwRateLimited(message: string): never {
    throw new HttpException(message, HttpStatus.TOO_MANY_REQUESTS);
  }

  /** Audits a failed authentication and answers it: 429 for too many failed attempts, 403 outside `allowedIps`, else 401. */
  private refuse(context: ExecutionContext, failure: AuthenticationFailure): never {
    const refusal = refusalOf(failure, this.options.errorMessages);
    this.auditRefusal(context, refusal);
    if (refusal.status === HttpStatus.TOO_MANY_REQUESTS) this.throwRateLimited(refusal.message);
    if (refusal.status === HttpStatus.FORBIDDEN) throw exceptionOf(refusal);
    this.throwUnauthorized(refusal.message);
  }

  /** Runs a rate-limit or throttle hook: throwing or returning `false` blocks with 429. */
  private async runHook(context: ExecutionContext, token: Token | null, hook: () => unknown): Promise<void> {
    let blocked: boolean;
    try {
      blocked = (await hook()) === false;
    } catch (error) {
      if (!(error instanceof HttpException)) this.logger.warn(`A rate-limit hook blocked a request: ${(error as Error)?.message}`);
      blocked = true;
    }
    if (!blocked) return;
    this.auditFailure(context, 'rate_limited', token?.id ?? null);
    this.throwRateLimited(this.options.errorMessages.rateLimited);
  }

  private auditRefusal(context: ExecutionContext, { audit }: Refusal): void {
    if (audit) this.audit(context, 'auth_failed', audit.tokenId, audit.extra);
  }

  private auditFailure(
    context: ExecutionContext,
    code: AuthFailureCode,
    tokenId: string | null,
    extra: Record<string, unknown> = {},
  ): void {
    this.audit(context, 'auth_failed', tokenId, { error_code: code, ...extra });
  }

  private audit(context: ExecutionContext, action: TokenAuditAction, tokenId: string | null, extra: Record<string, unknown>): void {
    this.auditLog.recordOnResponse({ action, tokenId, extra }, this.getRequest(context), getRawResponse(context));
  }
}
