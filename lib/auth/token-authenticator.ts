import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Like, type Repository } from 'typeorm';
import { VerificationCache, type VerifiedToken } from '../cache/verification-cache.js';
import type { Token } from '../entities/token.entity.js';
import {
  DisabledTokenError,
  ExpiredTokenError,
  InvalidTokenError,
  IpNotAllowedError,
  RevokedTokenError,
  RotatedSecretError,
  TokenAuthError,
} from '../errors/token-auth.errors.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { KEYSMITH_FAILED_ATTEMPTS, KEYSMITH_TOKEN_REPOSITORY, LOGGER_CONTEXT } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import type { FailedAttempts } from '../throttling/failed-attempts-throttle.js';
import { parseToken, type ParsedToken } from '../token-format/token-format.js';
import { LastUsedWriter } from '../tokens/last-used-writer.service.js';
import { findByPrefix } from '../tokens/find-by-prefix.js';
import { isAllowedIp } from '../tokens/ip-allowlist.js';
import { AttemptsExceededError, failureOf, type Authentication, type MatchedSecret } from './authentication.js';

const NO_USER = { user: null };

/** Where an authentication comes from, for the failed-attempts limit and the tokens' `allowedIps`. */
export interface AuthenticationClient {
  /** The client's address, read only when a secret has to be verified or the token has `allowedIps`. */
  ip(): string | null;
  /** Whether wrong secrets count against `ip()` (`failedAttemptsLimit`). Default `true`. */
  countsFailedAttempts?: boolean;
}

/**
 * Decides whether a raw token authenticates, and owns every step of that decision: the shape and
 * checksum (parsed once), the verification cache (a hit proves the secret and costs no query and
 * no hash), the failed-attempts limit (for unproven secrets only), one shared verification per
 * raw token at a time, the hash upgrade after a change of hasher, the user, and `lastUsedAt`.
 * `KeysmithGuard` turns its result into a response and an audit row; `TokenService.authenticate`
 * into a token or an error.
 */
@Injectable()
export class TokenAuthenticator implements OnApplicationBootstrap {
  private readonly logger = new Logger(LOGGER_CONTEXT);

  constructor(
    @Inject(KEYSMITH_OPTIONS) private readonly options: ResolvedKeysmithOptions,
    @Inject(KEYSMITH_TOKEN_REPOSITORY) private readonly tokens: Repository<Token>,
    @Inject(VerificationCache) private readonly cache: VerificationCache,
    @Inject(KEYSMITH_FAILED_ATTEMPTS) private readonly failedAttempts: FailedAttempts,
    @Inject(LastUsedWriter) private readonly lastUsed: LastUsedWriter,
  ) {}

  /**
   * The token a raw token authenticates, or why it does not. Only a database failure throws.
   * Without a `client`, no failed attempt is counted (as for `TokenService.authenticate()`), and a
   * token with `allowedIps` is refused, since no address is known.
   */
  async authenticate(rawToken: unknown, client?: AuthenticationClient): Promise<Authentication> {
    if (typeof rawToken !== 'string') return failureOf(new InvalidTokenError('malformed'));
    const key = this.cache.keyOf(rawToken);
    const cached = this.cache.get(key);
    if (cached) return this.accept(cached, client);

    let parsed: ParsedToken;
    try {
      parsed = parseToken(rawToken);
    } catch (error) {
      return failureOf(error as InvalidTokenError);
    }
    const ip = client && client.countsFailedAttempts !== false ? client.ip() : undefined;
    try {
      if (ip !== undefined && (await this.failedAttempts.isBlocked(ip, parsed.prefix))) throw new AttemptsExceededError(parsed.prefix);
      return this.accept(await this.cache.verifyOnce(key, () => this.verifyCounted(parsed, ip)), client);
    } catch (error) {
      if (error instanceof TokenAuthError || error instanceof AttemptsExceededError) return failureOf(error);
      throw error;
    }
  }

  /**
   * What `authenticate` answers for a raw token verified within the cache TTL, at once and without
   * a promise; `null` when the token must be verified (or is not a string).
   */
  authenticateCached(rawToken: unknown, client?: AuthenticationClient): Authentication | null {
    if (typeof rawToken !== 'string') return null;
    const cached = this.cache.get(this.cache.keyOf(rawToken));
    return cached ? this.accept(cached, client) : null;
  }

  /** Whether successful verifications are kept (`cacheTtlSeconds` above 0). */
  get caches(): boolean {
    return this.cache.enabled;
  }

  /** Whether this raw token was verified within the cache TTL: its sender has proved the secret. */
  isProven(rawToken: string): boolean {
    return this.cache.has(this.cache.keyOf(rawToken));
  }

  /** The user of a token through the `resolveUser` option, kept with the verified token for the cache TTL. */
  async userOf(token: Token): Promise<unknown> {
    const { resolveUser } = this.options;
    if (token.userId === null || !resolveUser) return null;
    const cached = this.cache.getUser(token.id);
    if (cached) return cached.user;
    const user = (await resolveUser(token.userId, token)) ?? null;
    this.cache.setUser(token.id, user);
    return user;
  }

  /** `userOf`'s answer when it needs no call of `resolveUser`, wrapped so that a `null` user is one too. */
  cachedUserOf(token: Token): { user: unknown } | undefined {
    if (token.userId === null || !this.options.resolveUser) return NO_USER;
    return this.cache.getUser(token.id);
  }

  /**
   * Measures, once at startup, what verifying a stored hash of each hasher other than the
   * configured one costs, so that decoys for unknown prefixes cost as much from the first request.
   */
  async onApplicationBootstrap(): Promise<void> {
    const { hashers } = this.options;
    try {
      for (const algorithm of hashers.algorithms.slice(1)) {
        const sample = await this.tokens.findOne({ select: { id: true, key: true }, where: { key: Like(`${algorithm}$%`) } });
        if (sample) await hashers.learn(sample.key);
      }
    } catch (error) {
      this.logger.warn(`Could not sample stored hashes for decoy verifications: ${(error as Error).message}`);
    }
  }

  /** A verification that counts against the client's failed-attempts limit from its start. */
  private async verifyCounted(parsed: ParsedToken, ip: string | null | undefined): Promise<VerifiedToken> {
    const attempt = ip === undefined ? null : await this.failedAttempts.begin(ip, parsed.prefix);
    if (attempt === null && ip !== undefined) throw new AttemptsExceededError(parsed.prefix);
    try {
      const verified = await this.verify(parsed);
      attempt?.succeeded();
      return verified;
    } catch (error) {
      if (isGuess(error)) attempt?.failed();
      else attempt?.succeeded();
      throw error;
    }
  }

  /**
   * The full check: one indexed query and one hash (two for a token that keeps a rotation's
   * previous secret, when the current one does not match), an equally costly hash for an unknown
   * prefix. The secret is checked before the state.
   */
  private async verify({ prefix, secret }: ParsedToken): Promise<VerifiedToken> {
    const { hashers } = this.options;
    const token = await findByPrefix(this.tokens, prefix);
    if (!token) {
      await hashers.verifyDecoy(secret);
      throw new InvalidTokenError('unknown_prefix');
    }
    const matched = await this.matchSecret(secret, token);
    if (token.revoked || token.purged) throw new RevokedTokenError(token);
    if (token.disabled) throw new DisabledTokenError(token);
    if (matched === 'current' && hashers.needsRehash(token.key)) void this.upgradeHash(token, secret);
    return { token, secret: matched };
  }

  /**
   * Which of the token's secrets `secret` is. The previous one is tried only when the current one
   * fails; once its grace period has ended it is recognised, to refuse it as `rotated_secret`.
   */
  private async matchSecret(secret: string, token: Token): Promise<MatchedSecret> {
    const { hashers } = this.options;
    if (await hashers.verify(secret, token.key)) return 'current';
    if (token.previousKey === null || !(await hashers.verify(secret, token.previousKey)))
      throw new InvalidTokenError('wrong_secret', token);
    if (!isWithinGrace(token)) throw new RotatedSecretError(token);
    return 'previous';
  }

  /** Hashes a proven secret again with the configured hasher, unless the token changed meanwhile. */
  private async upgradeHash(token: Token, secret: string): Promise<void> {
    try {
      const key = await this.options.hashers.hash(secret);
      await this.tokens.update({ id: token.id, key: token.key }, { key });
    } catch (error) {
      this.logger.warn(`Could not upgrade the hash of token ${token.prefix}: ${(error as Error).message}`);
    }
  }

  /**
   * The answer for a proven secret: refused when it is the previous one past its grace period
   * (also for a cache entry, whose lifetime the deadline already caps), when the token has expired,
   * or when the client's address is outside the token's `allowedIps`.
   */
  private accept({ token, secret }: VerifiedToken, client: AuthenticationClient | undefined): Authentication {
    if (secret === 'previous' && !isWithinGrace(token)) return failureOf(new RotatedSecretError(token));
    if (token.isExpired) return failureOf(new ExpiredTokenError(token));
    if (token.allowedIps !== null && token.allowedIps.length > 0) {
      const ip = client ? client.ip() : null;
      if (!isAllowedIp(ip, token.allowedIps)) return failureOf(new IpNotAllowedError(token, ip));
    }
    token.lastUsedAt = new Date();
    this.lastUsed.noteUse(token.id, token.lastUsedAt);
    return { token, failure: null, secret };
  }
}

const isWithinGrace = (token: Token) => token.previousSecretExpiresAt !== null && token.previousSecretExpiresAt.getTime() > Date.now();

/** A refusal that counts as a failed attempt: a secret that is not the token's (an old one included), or an unknown prefix. */
function isGuess(error: unknown): boolean {
  if (error instanceof RotatedSecretError) return true;
  return error instanceof InvalidTokenError && (error.reason === 'wrong_secret' || error.reason === 'unknown_prefix');
}
