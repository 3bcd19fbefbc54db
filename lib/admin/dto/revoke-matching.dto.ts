import { IsIn, IsOptional } from 'class-validator';
import { TOKEN_STATES, type TokenState } from '../../tokens/token-service.interface.js';
import { ApiProperty, ApiPropertyOptional } from '../swagger/optional-swagger.js';
import { TokenFilterDto } from './token-filter.dto.js';

/** The states of tokens a revoke can still change. */
export const LIVE_TOKEN_STATES = TOKEN_STATES.filter((state) => state !== 'revoked' && state !== 'purged');

/**
 * Body of `POST <path>/api/tokens/revoke-all`: every live token the filters match, at least one of
 * `userId`, `tokenType`, `scope`, `createdBefore` and `unusedSince` saying whose.
 */
export class RevokeMatchingDto extends TokenFilterDto {
  @ApiPropertyOptional({ enum: LIVE_TOKEN_STATES, description: 'Only tokens in this state.' })
  @IsOptional()
  @IsIn(LIVE_TOKEN_STATES)
  state?: TokenState;
}

/** Answer of `POST <path>/api/tokens/revoke-all`. */
export class RevokedCountDto {
  @ApiProperty({ description: 'Tokens revoked, each audited as if revoked alone.' }) revoked!: number;
}
