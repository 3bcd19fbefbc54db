import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { TOKEN_SORT_FIELDS, type TokenSortField, type TokenState } from '../../tokens/token-service.interface.js';
import { ApiPropertyOptional } from '../swagger/optional-swagger.js';
import { PageLimit, PageOffset } from './pagination.js';

export const TOKEN_STATES: readonly TokenState[] = ['active', 'disabled', 'expired', 'revoked', 'purged'];
export const SORT_ORDERS = ['asc', 'desc'] as const;
/** Tokens on a page when the query sets no `limit`. */
export const TOKENS_PAGE_SIZE = 25;

/** Query of `GET <path>/api/tokens`. */
export class ListTokensQueryDto {
  @ApiPropertyOptional({ enum: TOKEN_STATES, description: 'Lifecycle state; `revoked` leaves purged tokens out.' })
  @IsOptional()
  @IsIn(TOKEN_STATES)
  state?: TokenState;

  @ApiPropertyOptional({ description: 'Owner of the tokens.', maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  userId?: string;

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
