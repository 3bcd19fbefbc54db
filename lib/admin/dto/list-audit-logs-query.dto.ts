import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { AUDIT_ACTIONS, type TokenAuditAction } from '../../entities/token-audit-log.entity.js';
import { ApiPropertyOptional } from '../swagger/optional-swagger.js';
import { PageLimit, PageOffset } from './pagination.js';

/** Audit rows on a page when the query sets no `limit`. */
export const AUDIT_LOGS_PAGE_SIZE = 50;

/** Query of `GET <path>/api/audit-logs`. */
export class ListAuditLogsQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  tokenId?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: TokenAuditAction;

  @ApiPropertyOptional({ description: 'Final response status code of request rows.', minimum: 100, maximum: 599 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(599)
  status?: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'Rows created at or after this moment (ISO 8601).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Rows created before this moment (ISO 8601).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @PageLimit(AUDIT_LOGS_PAGE_SIZE)
  limit?: number;

  @PageOffset()
  offset?: number;
}
