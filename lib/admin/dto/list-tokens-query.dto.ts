import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { TOKEN_SORT_FIELDS, TOKEN_STATES, type TokenSortField, type TokenState } from '../../tokens/token-service.interface.js';
import { ApiPropertyOptional } from '../swagger/optional-swagger.js';
import { PageLimit, PageOffset } from './pagination.js';
import { TokenFilterDto } from './token-filter.dto.js';

export const SORT_ORDERS = ['asc', 'desc'] as const;
/** Tokens on a page when the query sets no `limit`. */
export const TOKENS_PAGE_SIZE = 25;

/** Query of `GET <path>/api/tokens`. */
export class ListTokensQueryDto extends TokenFilterDto {
  @ApiPropertyOptional({ enum: TOKEN_STATES, description: 'Lifecycle state; `revoked` leaves purged tokens out.' })
  @IsOptional()
  @IsIn(TOKEN_STATES)
  state?: TokenState;

  @ApiPropertyOptional({ description: 'Part of the name (any case) or of the prefix.', maxLength: 128 })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  search?: string;

  @ApiPropertyOptional({ enum: TOKEN_SORT_FIELDS, default: 'createdAt' })
  @IsOptional()
  @IsIn(TOKEN_SORT_FIELDS)
  sort?: TokenSortField;

  @ApiPropertyOptional({ enum: SORT_ORDERS, default: 'desc' })
  @IsOptional()
  @IsIn(SORT_ORDERS)
  order?: (typeof SORT_ORDERS)[number];

  @PageLimit(TOKENS_PAGE_SIZE)
  limit?: number;

  @PageOffset()
  offset?: number;
}
