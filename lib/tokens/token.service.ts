import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Repository, SelectQueryBuilder } from 'typeorm';
import { TOKEN_NAME_MAX_LENGTH, TOKEN_TYPES, Token } from '../entities/token.entity.js';
import { KeysmithValidationError } from '../errors/keysmith-validation.error.js';
import { TokenNotFoundError } from '../errors/token-not-found.error.js';
import {
  TOKEN_SORT_FIELDS,
  type CreatedToken,
  type CreateTokenInput,
  type IdentifiedToken,
  type LifecycleInput,
  type ListTokensInput,
  type RevokeInput,
  type TokenPage,
  type TokenRef,
  type TokenFilter,
  type UserRef,
} from './token-service.interface.js';
import { KEYSMITH_OPTIONS } from '../keysmith.constants.js';
import { KEYSMITH_TOKEN_REPOSITORY } from '../keysmith.internal-constants.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { randomBase62 } from '../token-format/base62.js';
import { IDENTIFIER_LENGTH, buildToken, generateToken, isTokenPrefix, parseToken, type ParsedToken } from '../token-format/token-format.js';
import { isUniqueViolation } from './unique-violation.js';
import { isTokenId } from './token-id.js';
import { userIdOf } from './user-ref.js';
import { CacheInvalidationService } from '../cache/cache-invalidation.service.js';
import { AuditLogService } from '../audit/audit-log.service.js';
import { errorOf } from '../auth/authentication.js';
import { TokenAuthenticator } from '../auth/token-authenticator.js';
import { findByPrefix } from './find-by-prefix.js';
import { LastUsedWriter } from './last-used-writer.service.js';
import { KeysmithEventEmitter } from '../events/keysmith-event-emitter.js';
import { KEYSMITH_EVENTS } from '../events/keysmith-events.js';
import { tokenView } from './token-view.js';
import { DEFAULT_LIST_LIMIT, checkPage } from '../listing/page.js';
import { SELECTING_FILTERS, activeCondition, checkTokenFilter, inactiveCondition, whereTokenFilter } from './token-filter.js';
import { REVOKE_BATCH_SIZE, revokeBatch } from './revoke-batch.js';
import { expiryWithinLimit } from './lifetime-policy.js';

type LifecycleEventName = (typeof KEYSMITH_EVENTS)['created' | 'rotated' | 'revoked' | 'purged'];
// 62^8 identifiers make a collision rare; three tries make a failure from it practically impossible.
const CREATE_ATTEMPTS = 3;

/** Creates, rotates, revokes, purges, finds and authenticates tokens. */
@Injectable()
export class TokenService {
  constructor(
    @Inject(KEYSMITH_TOKEN_REPOSITORY) private readonly tokens: Repository<Token>,
    @Inject(KEYSMITH_OPTIONS) private readonly options: ResolvedKeysmithOptions,
    @Inject(AuditLogService) private readonly auditLog: AuditLogService,
    @Inject(CacheInvalidationService) private readonly invalidation: CacheInvalidationService,
    @Inject(LastUsedWriter) private readonly lastUsed: LastUsedWriter,
    @Inject(TokenAuthenticator) private readonly authenticator: TokenAuthenticator,
    @Inject(KeysmithEventEmitter) private readonly events: KeysmithEventEmitter,
  ) {}

  /** Creates a token. The raw token is in the result and nowhere else: show it once. */
  async create(input: CreateTokenInput): Promise<CreatedToken> {
    const generated = generateToken(this.options.tokenPrefix, this.options.secretLength);
    const scopes = this.validScopes(input.scopes ?? [...this.options.defaultScopes]);
    const token = this.tokens.create({
      id: randomUUID(),
      name: this.validName(input.name),
      description: input.description ?? '',
      tokenType: this.validTokenType(input.tokenType ?? 'user'),
      userId: userIdOf(input.user ?? input.userId),
      createdById: userIdOf(input.createdBy),
      scopes,
      key: await this.options.hashers.hash(generated.secret),
      prefix: generated.prefix,
      createdAt: new Date(),
      expiresAt: expiryWithinLimit(input.expiresAt, scopes, this.options, Date.now()),
      lastUsedAt: null,
      revoked: false,
      purged: false,
    });
    await this.insertWithFreshPrefix(token);
    await this.auditLog.record(
      { action: 'created', tokenId: token.id, extra: lifecycleExtra(input.createdBy, input.source) },
      input.request,
    );
    this.announce(KEYSMITH_EVENTS.created, token, input.createdBy, input.source);
    return { token, rawToken: buildToken(token.prefix, generated.secret) };
  }

  /**
   * Replaces the secret (the prefix stays) and returns the new raw token. The old raw token stops
   * working as soon as this resolves.
   */
  async rotate(tokenOrId: TokenRef, input: LifecycleInput = {}): Promise<string> {
    const token = await this.get(tokenOrId);
    if (token.revoked || token.purged) throw notRotatable(token);
    const secret = randomBase62(this.options.secretLength);
    const key = await this.options.hashers.hash(secret);
    this.lastUsed.forget(token.id);
    // The state is checked again in the UPDATE, so a revoke that lands meanwhile still wins.
    const result = await this.tokens.update({ id: token.id, revoked: false, purged: false }, { key, lastUsedAt: null });
    if (!result.affected) throw notRotatable(await this.get(token.id));
    await this.invalidation.tokenChanged(token.id);
    await this.auditLog.record({ action: 'rotated', tokenId: token.id, extra: lifecycleExtra(input.actor, input.source) }, input.request);
    this.announce(KEYSMITH_EVENTS.rotated, Object.assign(token, { key, lastUsedAt: null }), input.actor, input.source);
    return buildToken(token.prefix, secret);
  }

  /** Revokes a token (idempotent: a second call changes and audits nothing). */
  async revoke(tokenOrId: TokenRef, input: RevokeInput = {}): Promise<Token> {
    if (input.purge) return this.purge(tokenOrId, input);
    const token = await this.get(tokenOrId);
    const result = await this.tokens.update({ id: token.id, revoked: false }, { revoked: true });
    await this.invalidation.tokenChanged(token.id);
    token.revoked = true;
    if (result.affected) {
      await this.auditLog.record(
        { action: 'revoked', tokenId: token.id, extra: lifecycleExtra(input.actor, input.source, input.location) },
        input.request,
      );
      this.announce(KEYSMITH_EVENTS.revoked, token, input.actor, input.source);
    }
    return token;
  }

  /** Marks a token purged and revoked: a soft delete (idempotent). */
  async purge(tokenOrId: TokenRef, input: LifecycleInput = {}): Promise<Token> {
    const token = await this.get(tokenOrId);
    const result = await this.tokens.update({ id: token.id, purged: false }, { purged: true, revoked: true });
    await this.invalidation.tokenChanged(token.id);
    token.purged = true;
    token.revoked = true;
    if (result.affected) {
      await this.auditLog.record(
        { action: 'revoked', tokenId: token.id, extra: { ...lifecycleExtra(input.actor, input.source, input.location), purge: true } },
        input.request,
      );
      this.announce(KEYSMITH_EVENTS.purged, token, input.actor, input.source);
    }
    return token;
  }

  /**
   * Revokes every live token that matches `filter` (the filters of `list()`; at least one of
   * `userId`, `tokenType`, `scope`, `createdBefore` and `unusedSince`) and returns how many it
   * revoked. Works in batches of 500 tokens, each in a short transaction, so that requests go on
   * meanwhile; each token is audited, dropped from the verification caches and announced as if
   * revoked alone.
   */
  async revokeMany(filter: TokenFilter, input: LifecycleInput = {}): Promise<number> {
    if (typeof filter !== 'object' || filter === null) throw new KeysmithValidationError('revokeMany needs a filter object.');
    checkTokenFilter(filter, { only: true });
    if (!SELECTING_FILTERS.some((name) => filter[name] !== undefined)) {
      throw new KeysmithValidationError(
        `revokeMany needs at least one of ${SELECTING_FILTERS.join(', ')}: a filter that says whose tokens to revoke.`,
      );
    }
    const now = new Date();
    let revoked = 0;
    let after: string | null = null;
    for (;;) {
      const batch = await revokeBatch(this.tokens, filter, after, now);
      const extra = lifecycleExtra(input.actor, input.source, input.location);
      await this.auditLog.recordMany(
        batch.map((token) => ({ action: 'revoked', tokenId: token.id, extra })),
        input.request,
      );
      await Promise.all(batch.map((token) => this.invalidation.tokenChanged(token.id)));
      for (const token of batch) this.announce(KEYSMITH_EVENTS.revoked, token, input.actor, input.source);
      revoked += batch.length;
      if (batch.length < REVOKE_BATCH_SIZE) return revoked;
      after = batch[batch.length - 1].id;
    }
  }

  /**
   * Returns the token a raw token belongs to, or throws `InvalidTokenError`, `RevokedTokenError`
   * or `ExpiredTokenError`. The secret is checked before the state, so only its holder learns
   * that a token is revoked or expired. A token verified within `cacheTtlSeconds` is accepted
   * from memory, without a query or a hash; its expiry is still checked every time.
   */
  async authenticate(rawToken: string): Promise<Token> {
    const { token, failure } = await this.authenticator.authenticate(rawToken);
    if (failure) throw errorOf(failure);
    return token;
  }

  /**
   * The token a raw token names, and whether its secret is right, without authenticating: no
   * state check, no `lastUsedAt`, no cache, no failed attempts. `token` is `null` for a malformed
   * raw token or a wrong checksum (found without a query) and for an unknown prefix. For leak
   * reports and scans, which tell a live secret from a stale one.
   */
  async identify(rawToken: string): Promise<IdentifiedToken> {
    let parsed: ParsedToken;
    try {
      parsed = parseToken(rawToken);
    } catch {
      return { token: null, secretMatches: false };
    }
    const token = await this.findByPrefix(parsed.prefix);
    return { token, secretMatches: token !== null && (await this.options.hashers.verify(parsed.secret, token.key)) };
  }

  /** Writes the `lastUsedAt` of recent uses now instead of within the next second. */
  flushLastUsed(): Promise<void> {
    return this.lastUsed.flush();
  }

  findById(id: string): Promise<Token | null> {
    return isTokenId(id) ? this.tokens.findOne({ where: { id } }) : Promise.resolve(null);
  }

  findByPrefix(prefix: string): Promise<Token | null> {
    return findByPrefix(this.tokens, prefix);
  }

  /** The token named by an id or a prefix (or the fresh row of a `Token`); throws `TokenNotFoundError` for none. */
  async get(tokenOrId: TokenRef): Promise<Token> {
    const reference = typeof tokenOrId === 'string' ? tokenOrId : tokenOrId.id;
    // A raw token given as the reference never reaches a query (or a query log) with its secret.
    const token = isTokenId(reference)
      ? await this.findById(reference)
      : isTokenPrefix(reference)
        ? await this.findByPrefix(reference)
        : null;
    if (!token) throw new TokenNotFoundError(reference);
    return token;
  }

  /** Tokens matching every given filter, newest first unless `sort` and `order` say otherwise. */
  async list(input: ListTokensInput = {}): Promise<Token[]> {
    return this.listQuery(input).getMany();
  }

  /** One page of `list()` and the number of tokens matching the filters on every page. */
  async listPage(input: ListTokensInput = {}): Promise<TokenPage> {
    const [items, total] = await this.listQuery(input).getManyAndCount();
    return { items, total };
  }

  private listQuery(input: ListTokensInput): SelectQueryBuilder<Token> {
    checkTokenFilter(input);
    checkPage(input.limit, input.offset);
    const order = input.order === 'asc' ? 'ASC' : 'DESC';
    // The id breaks ties between tokens created in the same millisecond, so pages never overlap.
    const query = this.tokens
      .createQueryBuilder('token')
      .orderBy(`token.${TOKEN_SORT_FIELDS.includes(input.sort!) ? input.sort : 'createdAt'}`, order)
      .addOrderBy('token.id', order);
    whereTokenFilter(query, input, new Date());
    if (input.revoked !== undefined) query.andWhere('token.revoked = :revoked', { revoked: input.revoked });
    if (input.purged !== undefined) query.andWhere('token.purged = :purged', { purged: input.purged });
    if (input.active === true) query.andWhere(activeCondition());
    else if (input.active === false) query.andWhere(inactiveCondition());
    if (input.search) {
      // `!` escapes LIKE's wildcards the same way on SQLite, PostgreSQL and MySQL.
      const pattern = `%${input.search.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
      query.andWhere("(LOWER(token.name) LIKE :pattern ESCAPE '!' OR LOWER(token.prefix) LIKE :pattern ESCAPE '!')", { pattern });
    }
    return query.take(input.limit ?? DEFAULT_LIST_LIMIT).skip(input.offset ?? 0);
  }

  private announce(name: LifecycleEventName, token: Token, actor: UserRef | null | undefined, source: string | undefined): void {
    this.events.emit(name, { token: tokenView(token), actorId: userIdOf(actor), source: source ?? null });
  }

  private async insertWithFreshPrefix(token: Token): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.tokens.insert(token);
        return;
      } catch (error) {
        if (!isUniqueViolation(error) || attempt === CREATE_ATTEMPTS) throw error;
        token.prefix = `${this.options.tokenPrefix}_${randomBase62(IDENTIFIER_LENGTH)}`;
      }
    }
  }

  private validName(name: unknown): string {
    if (typeof name !== 'string' || name.trim().length === 0) {
      throw new KeysmithValidationError('Token name is required.');
    }
    if (name.length > TOKEN_NAME_MAX_LENGTH) {
      throw new KeysmithValidationError(`Token name is ${name.length} characters long; the limit is ${TOKEN_NAME_MAX_LENGTH}.`);
    }
    return name;
  }

  private validTokenType(tokenType: unknown): Token['tokenType'] {
    if (!TOKEN_TYPES.includes(tokenType as Token['tokenType'])) {
      throw new KeysmithValidationError(`Token type must be one of ${TOKEN_TYPES.join(', ')}; got "${String(tokenType)}".`);
    }
    return tokenType as Token['tokenType'];
  }

  private validScopes(scopes: unknown): string[] {
    if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string' && scope.length > 0)) {
      throw new KeysmithValidationError('Scopes must be an array of non-empty strings.');
    }
    const { availableScopes } = this.options;
    const unknown = scopes.filter((scope) => availableScopes.length > 0 && !availableScopes.includes(scope));
    if (unknown.length > 0) {
      throw new KeysmithValidationError(
        `Unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}; available scopes: ${availableScopes.join(', ')}.`,
      );
    }
    return [...new Set(scopes as string[])];
  }
}

function notRotatable(token: Token): KeysmithValidationError {
  const state = token.purged ? 'purged' : token.revoked ? 'revoked' : 'changed by another request';
  return new KeysmithValidationError(`Token ${token.prefix} is ${state} and cannot be rotated; create a new token instead.`);
}

function lifecycleExtra(actor: UserRef | null | undefined, source: string | undefined, location?: string): Record<string, unknown> {
  const actorId = userIdOf(actor);
  return {
    ...(actorId === null ? {} : { actor_id: actorId }),
    ...(source === undefined ? {} : { source }),
    ...(location === undefined ? {} : { location }),
  };
}
