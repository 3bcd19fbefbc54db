import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from './timestamp-column.js';

export type TokenAuditAction =
  | 'created'
  | 'rotated'
  | 'revoked'
  | 'disabled'
  | 'enabled'
  | 'updated'
  | 'auth_success'
  | 'auth_failed'
  | 'expiry_warning'
  | 'expired'
  | 'leaked';

export const AUDIT_ACTIONS: readonly TokenAuditAction[] = [
  'created',
  'rotated',
  'revoked',
  'disabled',
  'enabled',
  'updated',
  'auth_success',
  'auth_failed',
  'expiry_warning',
  'expired',
  'leaked',
];

/** `extra.error_code` of an `auth_failed` row. */
export type AuthFailureCode =
  | 'missing_token'
  | 'invalid_token'
  | 'revoked_token'
  | 'expired_token'
  | 'disabled_token'
  | 'rotated_secret'
  | 'ip_not_allowed'
  | 'insufficient_scope'
  | 'rate_limited';

/** One lifecycle action or authentication attempt. Never holds a raw token or a secret. */
@Entity({ name: 'keysmith_token_audit_log' })
@Index(['tokenId', 'createdAt'])
export class TokenAuditLog {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** No foreign key: the log outlives what it describes. */
  @Column({ name: 'token_id', type: 'varchar', length: 36, nullable: true })
  tokenId!: string | null;

  @Index()
  @Column({ type: 'varchar', length: 32 })
  action!: TokenAuditAction;

  @Column({ type: 'varchar', length: 1024, nullable: true })
  path!: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  method!: string | null;

  @Column({ name: 'status_code', type: 'int', nullable: true })
  statusCode!: number | null;

  @Column({ name: 'ip_address', type: 'varchar', length: 45, nullable: true })
  ipAddress!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'simple-json' })
  extra!: Record<string, any>;

  @Index()
  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;
}
