import { EntitySchema, type EntitySchemaColumnOptions } from 'typeorm';
import { KeysmithClaim } from '../entities/keysmith-claim.entity.js';
import { TokenAuditLog } from '../entities/token-audit-log.entity.js';
import { TokenNotice } from '../entities/token-notice.entity.js';
import { TokenUsage } from '../entities/token-usage.entity.js';
import { Token } from '../entities/token.entity.js';
import { djangoAddress, djangoAuditExtra, djangoInstant, djangoNotNull, djangoUserId, djangoUuid } from './django-keysmith-columns.js';

/** A property of this package's entities that django-keysmith's table has no column for: read as `value`, never written. */
function absent(value: 'NULL' | 'FALSE', type: EntitySchemaColumnOptions['type'] = 'varchar'): EntitySchemaColumnOptions {
  return { type, virtualProperty: true, query: () => value };
}

/**
 * `Token` mapped to django-keysmith's `keysmith_token` as its migrations made it, for
 * `tables: 'django-keysmith'`. Marked `synchronize: false`, as the audit table is, so TypeORM never
 * changes them. The token's `scopes` are read and written in `keysmith_token_scopes` by
 * `DjangoKeysmithScopes`; a token's `disabled`, `metadata`, `allowedIps`, grace, rate limit and
 * quota have no column there and read as none.
 */
export const DJANGO_KEYSMITH_TOKEN = new EntitySchema<Token>({
  name: 'Token',
  target: Token,
  tableName: 'keysmith_token',
  synchronize: false,
  columns: {
    id: { type: 'varchar', primary: true, transformer: djangoUuid },
    name: { type: 'varchar' },
    description: { type: 'text' },
    tokenType: { name: 'token_type', type: 'varchar' },
    userId: { name: 'user_id', type: 'varchar', nullable: true, transformer: djangoUserId },
    createdById: { name: 'created_by_id', type: 'varchar', nullable: true, transformer: djangoUserId },
    key: { type: 'varchar' },
    prefix: { type: 'varchar' },
    createdAt: { name: 'created_at', type: 'varchar', transformer: djangoInstant },
    expiresAt: { name: 'expires_at', type: 'varchar', nullable: true, transformer: djangoInstant },
    lastUsedAt: { name: 'last_used_at', type: 'varchar', nullable: true, transformer: djangoInstant },
    revoked: { type: 'boolean' },
    purged: { type: 'boolean' },
    scopes: absent('NULL', 'simple-json'),
    disabled: absent('FALSE', 'boolean'),
    metadata: absent('NULL', 'simple-json'),
    allowedIps: absent('NULL', 'simple-json'),
    previousKey: absent('NULL'),
    previousSecretExpiresAt: absent('NULL'),
    rateLimit: absent('NULL', 'simple-json'),
    quotaRemaining: absent('NULL', 'int'),
    quotaRefill: absent('NULL', 'simple-json'),
    quotaRefilledAt: absent('NULL'),
  },
});

/** `TokenAuditLog` mapped to django-keysmith's `keysmith_token_audit_log`, whose ids the database assigns. */
export const DJANGO_KEYSMITH_AUDIT_LOG = new EntitySchema<TokenAuditLog>({
  name: 'TokenAuditLog',
  target: TokenAuditLog,
  tableName: 'keysmith_token_audit_log',
  synchronize: false,
  columns: {
    id: { type: 'bigint', primary: true, generated: 'increment' },
    tokenId: { name: 'token_id', type: 'varchar', nullable: true, transformer: djangoUuid },
    action: { type: 'varchar' },
    path: { type: 'text', transformer: djangoNotNull('') },
    method: { type: 'varchar', transformer: djangoNotNull('') },
    statusCode: { name: 'status_code', type: 'int', transformer: djangoNotNull(0) },
    ipAddress: { name: 'ip_address', type: 'varchar', nullable: true, transformer: djangoAddress },
    userAgent: { name: 'user_agent', type: 'text', nullable: true },
    extra: { type: 'simple-json', transformer: djangoAuditExtra },
    createdAt: { name: 'created_at', type: 'varchar', transformer: djangoInstant },
  },
});

/**
 * The entities of `tables: 'django-keysmith'`, for a data source that lists its entities instead of
 * `autoLoadEntities`: tokens and audit rows in django-keysmith's tables; the others are registered
 * for the services that take them but never used, since their features are refused there.
 */
export const DJANGO_KEYSMITH_ENTITIES = [DJANGO_KEYSMITH_TOKEN, DJANGO_KEYSMITH_AUDIT_LOG, TokenNotice, KeysmithClaim, TokenUsage];
