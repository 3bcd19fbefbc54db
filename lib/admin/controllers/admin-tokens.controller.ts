import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query, UseGuards, UsePipes } from '@nestjs/common';
import { KeysmithScopes } from '../../decorators/keysmith-scopes.decorator.js';
import type { LifecycleInput } from '../../tokens/token-service.interface.js';
import { KeysmithValidationError } from '../../errors/keysmith-validation.error.js';
import { TokenService } from '../../tokens/token.service.js';
import { AdminAction } from '../admin-action.decorator.js';
import { adminValidationPipe } from '../admin-validation.pipe.js';
import { BulkItemResultDto, BulkResultDto } from '../dto/bulk-result.dto.js';
import { BulkTokensDto } from '../dto/bulk-tokens.dto.js';
import { CreateTokenDto } from '../dto/create-token.dto.js';
import { IssuedTokenDto } from '../dto/issued-token.dto.js';
import { ListTokensQueryDto, TOKENS_PAGE_SIZE } from '../dto/list-tokens-query.dto.js';
import { BulkRotateDto, RotateTokenDto } from '../dto/rotate-token.dto.js';
import { UpdateTokenDto } from '../dto/update-token.dto.js';
import { RevokeMatchingDto, RevokedCountDto } from '../dto/revoke-matching.dto.js';
import { TokenFilterDto } from '../dto/token-filter.dto.js';
import { TokenPageDto } from '../dto/token-page.dto.js';
import { TokenViewDto } from '../dto/token-view.dto.js';
import { TokenUsageDto } from '../dto/token-usage.dto.js';
import { TokenUsageQueryDto } from '../dto/token-usage-query.dto.js';
import { ValidationErrorDto } from '../dto/validation-error.dto.js';
import { KEYSMITH_ADMIN_SCOPE, KEYSMITH_SECURITY_SCHEME } from '../keysmith-admin.constants.js';
import { KeysmithAdminGuard } from '../keysmith-admin.guard.js';
import { TokenRefPipe } from '../token-ref.pipe.js';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '../swagger/optional-swagger.js';

const TOKEN_PARAM = { name: 'id', description: 'The token id (uuid) or its prefix (`tok_ab12CD34`).' };

/** The token half of the admin API: list, read, create, update, rotate, disable, enable, revoke and purge, one or many. */
@ApiTags('keysmith admin: tokens')
@ApiSecurity(KEYSMITH_SECURITY_SCHEME)
@ApiUnauthorizedResponse({ description: 'No token, or a token that is invalid, revoked or expired.' })
@ApiForbiddenResponse({ description: `The token lacks the \`${KEYSMITH_ADMIN_SCOPE}\` scope.` })
@ApiBadRequestResponse({ type: ValidationErrorDto, description: 'Refused input: every bad field, with its reasons.' })
@KeysmithScopes(KEYSMITH_ADMIN_SCOPE)
@UseGuards(KeysmithAdminGuard)
@UsePipes(adminValidationPipe())
@Controller('api/tokens')
export class AdminTokensController {
  constructor(@Inject(TokenService) private readonly tokens: TokenService) {}

  @ApiOperation({ summary: 'Revoke many tokens', description: 'Revoked tokens are left as they are.' })
  @ApiOkResponse({ type: BulkResultDto })
  @HttpCode(200)
  @Post('bulk/revoke')
  bulkRevoke(@Body() body: BulkTokensDto, @AdminAction() action: LifecycleInput): Promise<BulkResultDto> {
    return this.forEach(body.ids, async (id) => ({ token: TokenViewDto.of(await this.tokens.revoke(id, action)) }));
  }

  @ApiOperation({ summary: 'Purge many tokens', description: 'Purged tokens are left as they are.' })
  @ApiOkResponse({ type: BulkResultDto })
  @HttpCode(200)
  @Post('bulk/purge')
  bulkPurge(@Body() body: BulkTokensDto, @AdminAction() action: LifecycleInput): Promise<BulkResultDto> {
    return this.forEach(body.ids, async (id) => ({ token: TokenViewDto.of(await this.tokens.purge(id, action)) }));
  }

  @ApiOperation({
    summary: 'Rotate many tokens',
    description: 'Each result holds its new raw token, shown this once; `graceSeconds` applies to each.',
  })
  @ApiOkResponse({ type: BulkResultDto })
  @HttpCode(200)
  @Post('bulk/rotate')
  bulkRotate(@Body() body: BulkRotateDto, @AdminAction() action: LifecycleInput): Promise<BulkResultDto> {
    return this.forEach(body.ids, async (id) => {
      const rawToken = await this.tokens.rotate(id, { ...action, graceSeconds: body.graceSeconds });
      return { token: TokenViewDto.of(await this.tokens.get(id)), rawToken };
    });
  }

  @ApiOperation({
    summary: 'Revoke every live token of a filter',
    description:
      'Offboarding and incidents: every token the filters match that is not revoked yet, at least one of userId, tokenType, scope, ' +
      'createdBefore and unusedSince saying whose. Each is audited as if revoked alone.',
  })
  @ApiOkResponse({ type: RevokedCountDto })
  @HttpCode(200)
  @Post('revoke-all')
  async revokeMatching(@Body() body: RevokeMatchingDto, @AdminAction() action: LifecycleInput): Promise<RevokedCountDto> {
    const filter = TokenFilterDto.filterOf(body);
    if (!Object.values(filter).some((value) => value !== undefined)) {
      throw new KeysmithValidationError(
        'userId, tokenType, scope, createdBefore or unusedSince is required: a filter that says whose tokens to revoke.',
        'userId',
      );
    }
    return { revoked: await this.tokens.revokeMany({ ...filter, state: body.state }, action) };
  }

  @ApiOperation({ summary: 'List tokens', description: 'Filtered, sorted (newest first by default) and paginated.' })
  @ApiOkResponse({ type: TokenPageDto })
  @Get()
  async list(@Query() query: ListTokensQueryDto): Promise<TokenPageDto> {
    const limit = query.limit ?? TOKENS_PAGE_SIZE;
    const offset = query.offset ?? 0;
    const { state, search, sort, order } = query;
    const page = await this.tokens.listPage({ ...TokenFilterDto.filterOf(query), state, search, sort, order, limit, offset });
    return { items: page.items.map((token) => TokenViewDto.of(token)), total: page.total, limit, offset };
  }

  @ApiOperation({ summary: 'Create a token', description: 'The answer holds the raw token: the only time it exists.' })
  @ApiCreatedResponse({ type: IssuedTokenDto })
  @Post()
  async create(@Body() body: CreateTokenDto, @AdminAction() action: LifecycleInput): Promise<IssuedTokenDto> {
    const { token, rawToken } = await this.tokens.create({
      name: body.name,
      description: body.description,
      userId: body.userId,
      scopes: body.scopes,
      tokenType: body.tokenType,
      metadata: body.metadata,
      allowedIps: body.allowedIps,
      rateLimit: body.rateLimit,
      quota: body.quota,
      ...expiryOf(body.expiresAt),
      createdBy: action.actor,
      request: action.request,
      source: action.source,
    });
    return { token: TokenViewDto.of(token), rawToken };
  }

  @ApiOperation({ summary: 'Get a token' })
  @ApiParam(TOKEN_PARAM)
  @ApiOkResponse({ type: TokenViewDto })
  @ApiNotFoundResponse({ description: 'No token has this id or prefix.' })
  @Get(':id')
  async get(@Param('id', TokenRefPipe) id: string): Promise<TokenViewDto> {
    return TokenViewDto.of(await this.tokens.get(id));
  }

  @ApiOperation({
    summary: "A token's usage",
    description:
      'Requests per UTC minute, hour or day, successes and refusals apart, by outcome. Each instance writes its counts every 5 seconds.',
  })
  @ApiParam(TOKEN_PARAM)
  @ApiOkResponse({ type: TokenUsageDto })
  @ApiNotFoundResponse({ description: 'No token has this id or prefix.' })
  @Get(':id/usage')
  async usage(@Param('id', TokenRefPipe) id: string, @Query() query: TokenUsageQueryDto): Promise<TokenUsageDto> {
    const { since, until, bucket } = query;
    return this.tokens.usage(id, {
      since: since === undefined ? undefined : new Date(since),
      until: until === undefined ? undefined : new Date(until),
      bucket,
    });
  }

  @ApiOperation({
    summary: 'Update a token',
    description: 'Changes the fields given and leaves the others; in force on every instance at once.',
  })
  @ApiParam(TOKEN_PARAM)
  @ApiOkResponse({ type: TokenViewDto })
  @ApiNotFoundResponse({ description: 'No token has this id or prefix.' })
  @Patch(':id')
  async update(
    @Param('id', TokenRefPipe) id: string,
    @Body() body: UpdateTokenDto,
    @AdminAction() action: LifecycleInput,
  ): Promise<TokenViewDto> {
    const { expiresAt, ...fields } = body;
    return TokenViewDto.of(await this.tokens.update(id, { ...fields, ...expiryOf(expiresAt), ...action }));
  }

  @ApiOperation({
    summary: 'Rotate a token',
    description:
      'The answer holds the new raw token, shown this once. The old one stops working at once, or with `graceSeconds` at the end of that grace period (the expiry at the latest).',
  })
  @ApiParam(TOKEN_PARAM)
  @ApiOkResponse({ type: IssuedTokenDto })
  @ApiNotFoundResponse({ description: 'No token has this id or prefix.' })
  @ApiConflictResponse({ description: 'Another rotation of the token won at the same moment; nothing changed.' })
  @HttpCode(200)
  @Post(':id/rotate')
  async rotate(
    @Param('id', TokenRefPipe) id: string,
    @Body() body: RotateTokenDto,
    @AdminAction() action: LifecycleInput,
  ): Promise<IssuedTokenDto> {
    const rawToken = await this.tokens.rotate(id, { ...action, graceSeconds: body.graceSeconds });
    return { token: TokenViewDto.of(await this.tokens.get(id)), rawToken };
  }

  @ApiOperation({ summary: 'Disable a token', description: 'Refused until enabled again, on every instance at once. Idempotent.' })
  @ApiParam(TOKEN_PARAM)
  @ApiOkResponse({ type: TokenViewDto })
  @ApiNotFoundResponse({ description: 'No token has this id or prefix.' })
  @HttpCode(200)
  @Post(':id/disable')
  async disable(@Param('id', TokenRefPipe) id: string, @AdminAction() action: LifecycleInput): Promise<TokenViewDto> {
    return TokenViewDto.of(await this.tokens.disable(id, action));
  }

  @ApiOperation({ summary: 'Enable a token', description: 'A disabled token works again; a revoked or purged one cannot. Idempotent.' })
  @ApiParam(TOKEN_PARAM)
  @ApiOkResponse({ type: TokenViewDto })
  @ApiNotFoundResponse({ description: 'No token has this id or prefix.' })
  @HttpCode(200)
  @Post(':id/enable')
  async enable(@Param('id', TokenRefPipe) id: string, @AdminAction() action: LifecycleInput): Promise<TokenViewDto> {
    return TokenViewDto.of(await this.tokens.enable(id, action));
  }

  @ApiOperation({ summary: 'Revoke a token', description: 'Idempotent.' })
  @ApiParam(TOKEN_PARAM)
  @ApiOkResponse({ type: TokenViewDto })
  @ApiNotFoundResponse({ description: 'No token has this id or prefix.' })
  @HttpCode(200)
  @Post(':id/revoke')
  async revoke(@Param('id', TokenRefPipe) id: string, @AdminAction() action: LifecycleInput): Promise<TokenViewDto> {
    return TokenViewDto.of(await this.tokens.revoke(id, action));
  }

  @ApiOperation({ summary: 'Purge a token', description: 'Marks it purged and revoked (a soft delete). Idempotent.' })
  @ApiParam(TOKEN_PARAM)
  @ApiOkResponse({ type: TokenViewDto })
  @ApiNotFoundResponse({ description: 'No token has this id or prefix.' })
  @HttpCode(200)
  @Post(':id/purge')
  async purge(@Param('id', TokenRefPipe) id: string, @AdminAction() action: LifecycleInput): Promise<TokenViewDto> {
    return TokenViewDto.of(await this.tokens.purge(id, action));
  }

  /** Runs the action on each id in turn; a refusal is that token's result, not the request's. */
  private async forEach(
    ids: string[],
    act: (id: string) => Promise<Pick<BulkItemResultDto, 'token' | 'rawToken'>>,
  ): Promise<BulkResultDto> {
    const results: BulkItemResultDto[] = [];
    for (const id of [...new Set(ids)]) {
      try {
        results.push({ id, ok: true, ...(await act(id)) });
      } catch (error) {
        const status = (error as { getStatus?: () => number }).getStatus?.();
        if (status === undefined || status >= 500) throw error;
        results.push({ id, ok: false, error: (error as Error).message, statusCode: status });
      }
    }
    return { results };
  }
}

/** A validated ISO 8601 `expiresAt` as the service takes it: absent stays absent, `null` is never. */
function expiryOf(expiresAt: string | null | undefined): { expiresAt?: Date | null } {
  return expiresAt === undefined ? {} : { expiresAt: expiresAt === null ? null : new Date(expiresAt) };
}
