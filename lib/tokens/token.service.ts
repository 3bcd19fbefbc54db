import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Repository, SelectQueryBuilder } from 'typeorm';
import { TOKEN_NAME_MAX_LENGTH, TOKEN_TYPES, Token } from '../entities/token.entity.js';
import { KeysmithValidationError } from '../errors/keysmith-validation.error.js';
import { TokenNotFoundError } from '../errors/token-not-found.error.js';
import { TokenConflictError } from '../errors/token-conflict.error.js';
import {
  TOKEN_SORT_FIELDS,
  type CreatedToken,
  type CreateTokenInput,
  type IdentifiedToken,
  type LifecycleInput,
  type ListTokensInput,
  type RevokeInput,
  type RotateInput,
  type UpdateTokenInput,
  type UpdatableField,
  UPDATABLE_FIELDS,
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
import { KEYSMITH_EVENTS, type TokenEvent } from '../events/keysmith-events.js';
import { tokenView } from './token-view.js';
import { validAllowedIps, validGraceSeconds, validMetadata, validScopes } from './token-input.js';
import { validRateLimit } from '../limits/rate-limit.js';
import { quotaColumns, validQuota, type Quota } from '../limits/quota.js';
import { TokenQuotas } from '../limits/token-quotas.js';
import { TokenUsageCounter } from '../usage/token-usage-counter.js';
import type { TokenUsageReport, UsageInput } from '../usage/usage-report.js';
import { DEFAULT_LIST_LIMIT, checkPage } from '../listing/page.js';
import { SELECTING_FILTERS, activeCondition, checkTokenFilter, disabledOf, inactiveCondition, whereTokenFilter } from './token-filter.js';
import { REVOKE_BATCH_SIZE, revokeBatch } from './revoke-batch.js';
import { expiryWithinLimit } from './lifetime-policy.js';

type LifecycleEventName = (typeof KEYSMITH_EVENTS)['created' | 'rotated' | 'revoked' | 'purged' | 'disabled' | 'enabled'];
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
    @Inject(TokenQuotas) private readonly quotas: TokenQuotas,
    /** None with `tables: 'django-keysmith'`, whose database has no usage table. */
    @Optional() @Inject(TokenUsageCounter) private readonly usageCounter: TokenUsageCounter | null,
  ) {}

  /** Creates a token. The raw token is in the result and nowhere else: show it once. */
  async create(input: CreateTokenInput): Promise<CreatedToken> {
    const generated = generateToken(this.options.tokenPrefix, this.options.secretLength);
    const scopes = validScopes(input.scopes ?? [...this.options.defaultScopes], this.options.availableScopes);
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
      disabled: false,
      metadata: validMetadata(input.metadata ?? null, this.options.maxMetadataBytes),
      allowedIps: validAllowedIps(input.allowedIps ?? null),
      rateLimit: validRateLimit(input.rateLimit ?? null),
      ...quotaColumns(validQuota(input.quota ?? null), new Date()),
      previousKey: null,
      previousSecretExpiresAt: null,
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
   * Replaces the secret (the prefix stays) and returns the new raw token. Without `graceSeconds`
   * the old raw token stops working as soon as this resolves; with it, it keeps working until
   * `min(now + graceSeconds, expiresAt)` (the token's `previousSecretExpiresAt`), on every
   * instance. A rotation during a grace period ends that grace at once. Of two rotations of one
   * token at the same moment, one takes effect and the other throws `TokenConflictError`: no raw
   * token is ever handed out that does not work.
   */
  async rotate(tokenOrId: TokenRef, input: RotateInput = {}): Promise<string> {
    const graceMs = validGraceSeconds(input.graceSeconds ?? 0) * 1_000;
    const token = await this.get(tokenOrId);
    if (token.revoked || token.purged) throw notRotatable(token);
    const secret = randomBase62(this.options.secretLength);
    const key = await this.options.hashers.hash(secret);
    const graceEnd =
      graceMs === 0 ? null : new Date(Math.min(Date.now() + graceMs, token.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY));
    const changes = { key, previousKey: graceEnd && token.key, previousSecretExpiresAt: graceEnd, lastUsedAt: null };
    this.lastUsed.forget(token.id);
    // The UPDATE replaces only the hash it read, in a live token: a rotation or revocation that
    // lands meanwhile wins, and this one reports it instead of handing out a dead raw token.
    const result = await this.tokens.update({ id: token.id, key: token.key, revoked: false, purged: false }, changes);
    if (!result.affected) throw rotationLost(await this.get(token.id));
    await this.invalidation.tokenChanged(token.id);
    const extra = { ...lifecycleExtra(input.actor, input.source), ...(graceEnd && { grace_until: graceEnd.toISOString() }) };
    await this.auditLog.record({ action: 'rotated', tokenId: token.id, extra }, input.request);
    this.announce(KEYSMITH_EVENTS.rotated, Object.assign(token, changes), input.actor, input.source);
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
   * Switches a token off until `enable()`: it is refused (401, audited `disabled_token`) on every
   * instance at once. Idempotent: disabling a disabled token changes and audits nothing. A
   * revoked or purged token is refused with `KeysmithValidationError`: it is off for good.
   */
  async disable(tokenOrId: TokenRef, input: LifecycleInput = {}): Promise<Token> {
    return this.switchToken(tokenOrId, true, input);
  }

  /**
   * Switches a disabled token back on (idempotent). A revoked or purged token cannot be enabled:
   * `KeysmithValidationError`.
   */
  async enable(tokenOrId: TokenRef, input: LifecycleInput = {}): Promise<Token> {
    return this.switchToken(tokenOrId, false, input);
  }

  /**
   * Changes the given fields of a token (`name`, `description`, `scopes`, `expiresAt`, `metadata`,
   * `allowedIps`, `rateLimit`), each validated as `create()` validates it, and leaves the others; nothing is
   * written when one is refused. Audited `updated` with `extra.fields`, the names of the fields
   * that changed (never their values), and in force on every instance at once. A purged token is
   * refused with `KeysmithValidationError`.
   */
  async update(tokenOrId: TokenRef, input: UpdateTokenInput): Promise<Token> {
    if (typeof input !== 'object' || input === null) throw new KeysmithValidationError('update needs an object of the fields to change.');
    const token = await this.get(tokenOrId);
    if (token.purged) throw new KeysmithValidationError(`Token ${token.prefix} is purged and cannot be updated.`);
    const quota = input.quota === undefined ? undefined : validQuota(input.quota);
    const changes = { ...this.updatedFields(token, input), ...(quota !== undefined && quotaColumns(quota, new Date())) };
    // Setting a quota always changes it: its figure and refill period start again.
    const fields = [...UPDATABLE_FIELDS.filter((field) => field in changes), ...(quota !== undefined ? ['quota'] : [])];
    if (fields.length === 0) return token;
    await this.tokens.update({ id: token.id }, changes);
    await this.invalidation.tokenChanged(token.id);
    await this.auditLog.record(
      { action: 'updated', tokenId: token.id, extra: { ...lifecycleExtra(input.actor, input.source), fields } },
      input.request,
    );
    Object.assign(token, changes);
    this.events.emit(KEYSMITH_EVENTS.updated, { ...lifecycleEvent(token, input.actor, input.source), fields });
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
    const extra = lifecycleExtra(input.actor, input.source, input.location);
    let revoked = 0;
    let after: string | null = null;
    for (;;) {
      const batch = await revokeBatch(this.tokens, filter, after, now);
      await this.auditLog.recordMany(
        batch.map((token) => ({ action: 'revoked', tokenId: token.id, extra })),
        input.request,
      );
      await Promise.all(batch.map((token) => this.invalidation.tokenChanged(token.id)));
      for (const token of batch) this.announce(KEYSMITH_EVENTS.revoked, token, input.actor, input.source);
      revoked += batch.length;
      if (batch.length < REVOKE_BATCH_SIZE) return revoked;
      after = batch[batch.length - 1].id;
      // A synchronous driver (better-sqlite3) would otherwise hold the event loop for every batch.
      await setImmediate();
    }
  }

  /**
   * Returns the token a raw token belongs to, or throws `InvalidTokenError`, `RevokedTokenError`,
   * `DisabledTokenError`, `ExpiredTokenError`, `RotatedSecretError` or, for a token with
   * `allowedIps` when `client.ip` is outside them or not given, `IpNotAllowedError`. The secret is
   * checked before the state, so only its holder learns that a token is revoked or expired. A
   * token verified within `cacheTtlSeconds` is accepted from memory, without a query or a hash;
   * its expiry and addresses are still checked every time.
   */
  async authenticate(rawToken: string, client: { ip?: string | null } = {}): Promise<Token> {
    const ip = client.ip ?? null;
    const { token, failure } = await this.authenticator.authenticate(rawToken, { ip: () => ip, countsFailedAttempts: false });
    if (failure) throw errorOf(failure, ip);
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

  /**
   * The token's quota as it stands now: `remaining` from Redis with `redis` (else from this
   * process's count, else the database's), refills due included; `null` for a token without one.
   */
  async quotaOf(tokenOrId: TokenRef): Promise<Quota | null> {
    return this.quotas.current(await this.get(tokenOrId));
  }

  /**
   * The token's requests from `since` (default: 24 hours before `until`) to `until` (default: now)
   * in UTC buckets of a `minute`, an `hour` (the default) or a `day`, successes and refusals apart,
   * by outcome. Counts reach the database every 5 seconds from each instance, this one's at once.
   */
  async usage(tokenOrId: TokenRef, input: UsageInput = {}): Promise<TokenUsageReport> {
    if (!this.usageCounter) {
      throw new KeysmithValidationError("Usage is not counted with tables: 'django-keysmith': its database has no usage table.");
    }
    return this.usageCounter.read((await this.get(tokenOrId)).id, input);
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
    if (input.disabled !== undefined) query.andWhere(`${disabledOf(query)} = :disabled`, { disabled: input.disabled });
    if (input.active === true) query.andWhere(activeCondition(query));
    else if (input.active === false) query.andWhere(inactiveCondition(query));
    if (input.search) {
      // `!` escapes LIKE's wildcards the same way on SQLite, PostgreSQL and MySQL.
      const pattern = `%${input.search.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
      query.andWhere("(LOWER(token.name) LIKE :pattern ESCAPE '!' OR LOWER(token.prefix) LIKE :pattern ESCAPE '!')", { pattern });
    }
    return query.take(input.limit ?? DEFAULT_LIST_LIMIT).skip(input.offset ?? 0);
  }

  private announce(name: LifecycleEventName, token: Token, actor: UserRef | null | undefined, source: string | undefined): void {
    this.events.emit(name, lifecycleEvent(token, actor, source));
  }

  private async insertWithFreshPrefix(token: Token): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        // A copy: after an INSERT, TypeORM's MySQL driver writes the raw values of columns with a
        // default (0 for false) back into the object it was given.
        await this.tokens.insert({ ...token });
        return;
      } catch (error) {
        if (!isUniqueViolation(error) || attempt === CREATE_ATTEMPTS) throw error;
        token.prefix = `${this.options.tokenPrefix}_${randomBase62(IDENTIFIER_LENGTH)}`;
      }
    }
  }

  private validName(name: unknown): string {
    if (typeof name !== 'string' || name.trim().length === 0) {
      throw new KeysmithValidationError('Token name is required.', 'name');
    }
    if (name.length > TOKEN_NAME_MAX_LENGTH) {
      throw new KeysmithValidationError(`Token name is ${name.length} characters long; the limit is ${TOKEN_NAME_MAX_LENGTH}.`, 'name');
    }
    return name;
  }

  private validTokenType(tokenType: unknown): Token['tokenType'] {
    if (!TOKEN_TYPES.includes(tokenType as Token['tokenType'])) {
      throw new KeysmithValidationError(`Token type must be one of ${TOKEN_TYPES.join(', ')}; got "${String(tokenType)}".`);
    }
    return tokenType as Token['tokenType'];
  }

  /** The changes `update()` makes: each given field validated, only those that differ from the token's. */
  private updatedFields(token: Token, input: UpdateTokenInput): Partial<Pick<Token, UpdatableField>> {
    const scopes = input.scopes === undefined ? token.scopes : validScopes(input.scopes, this.options.availableScopes);
    const expiresAt =
      input.expiresAt === undefined && input.scopes === undefined ? token.expiresAt : this.expiryOnUpdate(token, input.expiresAt, scopes);
    const proposed: Pick<Token, UpdatableField> = {
      name: input.name === undefined ? token.name : this.validName(input.name),
      description: input.description === undefined ? token.description : validDescription(input.description),
      scopes,
      expiresAt,
      metadata: input.metadata === undefined ? token.metadata : validMetadata(input.metadata, this.options.maxMetadataBytes),
      allowedIps: input.allowedIps === undefined ? token.allowedIps : validAllowedIps(input.allowedIps),
      rateLimit: input.rateLimit === undefined ? token.rateLimit : validRateLimit(input.rateLimit),
    };
    const changes: Partial<Pick<Token, UpdatableField>> = {};
    for (const field of UPDATABLE_FIELDS) {
      if (!sameValue(proposed[field], token[field])) Object.assign(changes, { [field]: proposed[field] });
    }
    return changes;
  }

  /** The expiry after an update: the one given, else the token's, within the lifetime its scopes allow. */
  private expiryOnUpdate(token: Token, requested: Date | null | undefined, scopes: readonly string[]): Date | null {
    return expiryWithinLimit(requested === undefined ? token.expiresAt : requested, scopes, this.options, Date.now());
  }

  /** Disables (`true`) or enables (`false`) a live token; a second call changes and audits nothing. */
  private async switchToken(tokenOrId: TokenRef, disabled: boolean, input: LifecycleInput): Promise<Token> {
    const token = await this.get(tokenOrId);
    const action = disabled ? 'disabled' : 'enabled';
    if (token.revoked || token.purged) {
      throw new KeysmithValidationError(`Token ${token.prefix} is ${token.purged ? 'purged' : 'revoked'} and cannot be ${action}.`);
    }
    const result = await this.tokens.update({ id: token.id, disabled: !disabled, revoked: false, purged: false }, { disabled });
    await this.invalidation.tokenChanged(token.id);
    if (!result.affected) return this.get(token.id);
    token.disabled = disabled;
    await this.auditLog.record({ action, tokenId: token.id, extra: lifecycleExtra(input.actor, input.source) }, input.request);
    this.announce(KEYSMITH_EVENTS[action], token, input.actor, input.source);
    return token;
  }
}

/** What every lifecycle event says: the token as it is now, who acted and from where. */
function lifecycleEvent(token: Token, actor: UserRef | null | undefined, source: string | undefined): TokenEvent {
  return { token: tokenView(token), actorId: userIdOf(actor), source: source ?? null };
}

/** Why a rotation's UPDATE changed nothing: the token was revoked or purged, or another rotation won. */
function rotationLost(token: Token): KeysmithValidationError | TokenConflictError {
  if (token.revoked || token.purged) return notRotatable(token);
  return new TokenConflictError(
    `Token ${token.prefix} was rotated by another request at the same moment; this rotation changed nothing. Use the raw token the other rotation returned, or rotate again.`,
  );
}

function validDescription(description: unknown): string {
  if (typeof description !== 'string') throw new KeysmithValidationError('description must be a string.', 'description');
  return description;
}

/** Whether two values of a token field are the same: dates by instant, arrays and objects by their JSON. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  return typeof a === 'object' && a !== null ? JSON.stringify(a) === JSON.stringify(b) : a === b;
}

function notRotatable(token: Token): KeysmithValidationError {
  const state = token.purged ? 'purged' : 'revoked';
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
