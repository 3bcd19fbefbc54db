import { Controller, Get, Inject, Query, UseGuards, UsePipes } from '@nestjs/common';
import { KeysmithScopes } from '../../decorators/keysmith-scopes.decorator.js';
import { AuditLogService } from '../../audit/audit-log.service.js';
import { adminValidationPipe } from '../admin-validation.pipe.js';
import { AuditLogPageDto } from '../dto/audit-log-page.dto.js';
import { AuditLogViewDto } from '../dto/audit-log-view.dto.js';
import { AUDIT_LOGS_PAGE_SIZE, ListAuditLogsQueryDto } from '../dto/list-audit-logs-query.dto.js';
import { ValidationErrorDto } from '../dto/validation-error.dto.js';
import { KEYSMITH_ADMIN_SCOPE, KEYSMITH_SECURITY_SCHEME } from '../keysmith-admin.constants.js';
import { KeysmithAdminGuard } from '../keysmith-admin.guard.js';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '../swagger/optional-swagger.js';

/** The audit half of the admin API. */
@ApiTags('keysmith admin: audit log')
@ApiSecurity(KEYSMITH_SECURITY_SCHEME)
@ApiUnauthorizedResponse({ description: 'No token, or a token that is invalid, revoked or expired.' })
@ApiForbiddenResponse({ description: `The token lacks the \`${KEYSMITH_ADMIN_SCOPE}\` scope.` })
@KeysmithScopes(KEYSMITH_ADMIN_SCOPE)
@UseGuards(KeysmithAdminGuard)
@UsePipes(adminValidationPipe())
@Controller('api/audit-logs')
export class AdminAuditLogsController {
  constructor(@Inject(AuditLogService) private readonly auditLog: AuditLogService) {}

  @ApiOperation({ summary: 'List audit rows', description: 'Newest first; filtered by token, action, status and time range.' })
  @ApiOkResponse({ type: AuditLogPageDto })
  @ApiBadRequestResponse({ type: ValidationErrorDto, description: 'Refused input: every bad field, with its reasons.' })
  @Get()
  async list(@Query() query: ListAuditLogsQueryDto): Promise<AuditLogPageDto> {
    const limit = query.limit ?? AUDIT_LOGS_PAGE_SIZE;
    const offset = query.offset ?? 0;
    const page = await this.auditLog.listPage({
      tokenId: query.tokenId,
      action: query.action,
      statusCode: query.status,
      since: query.from === undefined ? undefined : new Date(query.from),
      until: query.to === undefined ? undefined : new Date(query.to),
      limit,
      offset,
    });
    return { items: page.items.map((row) => AuditLogViewDto.of(row)), total: page.total, limit, offset };
  }
}
