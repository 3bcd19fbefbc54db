import { ApiProperty } from '../swagger/optional-swagger.js';
import { AuditLogViewDto } from './audit-log-view.dto.js';

/** A page of `GET <path>/api/audit-logs`. */
export class AuditLogPageDto {
  @ApiProperty({ type: [AuditLogViewDto] }) items!: AuditLogViewDto[];
  @ApiProperty({ description: 'Rows matching the filters, on every page.' }) total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}
