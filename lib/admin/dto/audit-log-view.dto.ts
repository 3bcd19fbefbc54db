import type { TokenAuditAction, TokenAuditLog } from '../../entities/token-audit-log.entity.js';
import { ApiProperty } from '../swagger/optional-swagger.js';
import { AUDIT_ACTIONS } from '../../entities/token-audit-log.entity.js';

/** An audit row as the admin API shows it. */
export class AuditLogViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) tokenId!: string | null;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action!: TokenAuditAction;
  @ApiProperty({ type: String, nullable: true }) path!: string | null;
  @ApiProperty({ type: String, nullable: true }) method!: string | null;
  @ApiProperty({ type: Number, nullable: true }) statusCode!: number | null;
  @ApiProperty({ type: String, nullable: true }) ipAddress!: string | null;
  @ApiProperty({ type: String, nullable: true }) userAgent!: string | null;
  @ApiProperty({ type: Object, description: '`actor_id`, `source`, `purge`, `error_code`, ...' }) extra!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;

  /** The view of an audit row. */
  static of(row: TokenAuditLog): AuditLogViewDto {
    const { id, tokenId, action, path, method, statusCode, ipAddress, userAgent, extra, createdAt } = row;
    return Object.assign(new AuditLogViewDto(), { id, tokenId, action, path, method, statusCode, ipAddress, userAgent, extra, createdAt });
  }
}
