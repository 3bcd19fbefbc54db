import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { TokenState } from '../tokens/token-service.interface.js';
import type { QuotaRefill } from '../limits/quota.js';
import type { RateLimit } from '../limits/rate-limit.js';
import type { TokenMetadata } from '../tokens/metadata.js';
import { grantsScope } from '../tokens/scopes.js';
import { TimestampColumn } from './timestamp-column.js';

export type TokenType = 'user' | 'system';

export const TOKEN_TYPES: readonly TokenType[] = ['user', 'system'];

/** Longest accepted `name`. */
export const TOKEN_NAME_MAX_LENGTH = 128;

/** An API token. The secret is never stored: `key` holds its hash, `prefix` finds it. */
@Entity({ name: 'keysmith_token' })
export class Token {
  /** uuid, assigned by the service. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: TOKEN_NAME_MAX_LENGTH })
  name!: string;

  @Column({ type: 'text' })
  description!: string;

  @Column({ name: 'token_type', type: 'varchar', length: 16, default: 'user' })
  tokenType!: TokenType;

  @Index()
  @Column({ name: 'user_id', type: 'varchar', length: 255, nullable: true })
  userId!: string | null;

  @Column({ name: 'created_by_id', type: 'varchar', length: 255, nullable: true })
  createdById!: string | null;

  @Column({ type: 'simple-json' })
  scopes!: string[];

  /** `<algorithm>$<hash>` of the secret. */
  @Column({ type: 'varchar', length: 255 })
  key!: string;

  /** `<namespace>_<identifier>`: not secret, unique, the lookup key. */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  prefix!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;

  /** Indexed for the expiry warnings' scan. */
  @Index()
  @TimestampColumn({ name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @TimestampColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'boolean', default: false })
  revoked!: boolean;

  /** Soft-deleted: purged tokens are also revoked. */
  @Column({ type: 'boolean', default: false })
  purged!: boolean;

  /** Switched off by `disable()` until `enable()`: refused like a revoked token, but reversibly. */
  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /** The application's own JSON object, at most `maxMetadataBytes` serialized; `null` when none. */
  @Column({ type: 'simple-json', nullable: true })
  metadata!: TokenMetadata | null;

  /** IPv4 and IPv6 addresses and CIDR ranges the token is accepted from; `null`: from anywhere. */
  @Column({ name: 'allowed_ips', type: 'simple-json', nullable: true })
  allowedIps!: string[] | null;

  /**
   * `<algorithm>$<hash>` of the secret a rotation with `graceSeconds` replaced, which keeps
   * authenticating until `previousSecretExpiresAt` (and is recognised after it, to audit the use
   * as `rotated_secret`); `null` when none.
   */
  @Column({ name: 'previous_key', type: 'varchar', length: 255, nullable: true })
  previousKey!: string | null;

  /** When the previous secret stops authenticating; `null` when there is none. */
  @TimestampColumn({ name: 'previous_secret_expires_at', nullable: true })
  previousSecretExpiresAt!: Date | null;

  /** At most `limit` guarded requests per `windowSeconds`; `null`: the module's `defaultRateLimit`, if any. */
  @Column({ name: 'rate_limit', type: 'simple-json', nullable: true })
  rateLimit!: RateLimit | null;

  /**
   * Calls the token had left when last written (the live figure is `TokenService.quotaOf()`);
   * `null`: no quota.
   */
  @Column({ name: 'quota_remaining', type: 'integer', nullable: true })
  quotaRemaining!: number | null;

  /** Every `intervalSeconds` from `quotaRefilledAt`, `quotaRemaining` becomes `amount` again; `null`: never. */
  @Column({ name: 'quota_refill', type: 'simple-json', nullable: true })
  quotaRefill!: QuotaRefill | null;

  /** The start of the quota's current refill period (when the quota was set, without a refill). */
  @TimestampColumn({ name: 'quota_refilled_at', nullable: true })
  quotaRefilledAt!: Date | null;

  get isExpired(): boolean {
    return this.expiresAt !== null && this.expiresAt.getTime() <= Date.now();
  }

  get isActive(): boolean {
    return !this.revoked && !this.purged && !this.disabled && !this.isExpired;
  }

  /** Where the token is in its lifecycle: purged before revoked before disabled before expired. */
  get state(): TokenState {
    if (this.purged) return 'purged';
    if (this.revoked) return 'revoked';
    if (this.disabled) return 'disabled';
    return this.isExpired ? 'expired' : 'active';
  }

  /**
   * Whether the token's scopes grant `scope`: it has `scope` itself, a wildcard over its namespace
   * (`notes:*` grants `notes:read` and `notes:write`), or `*`.
   */
  hasScope(scope: string): boolean {
    return this.scopes.some((granted) => grantsScope(granted, scope));
  }
}
