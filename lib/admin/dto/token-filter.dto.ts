import { IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { TOKEN_TYPES, type TokenType } from '../../entities/token.entity.js';
import type { TokenFilter } from '../../tokens/token-service.interface.js';
import { ApiPropertyOptional } from '../swagger/optional-swagger.js';

/** The filters that say whose tokens, as the token listing's query and `revoke-all`'s body take them. */
export class TokenFilterDto {
  @ApiPropertyOptional({ description: 'Owner of the tokens.', maxLength: 255 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  userId?: string;

  @ApiPropertyOptional({ enum: TOKEN_TYPES })
  @IsOptional()
  @IsIn(TOKEN_TYPES)
  tokenType?: TokenType;

  @ApiPropertyOptional({ description: 'Tokens that list this scope (exactly, case included).', maxLength: 128 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  scope?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Tokens created before this moment (ISO 8601).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  createdBefore?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Tokens not used since this moment (ISO 8601): last used before it, or never used and created before it.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  unusedSince?: string;

  /** The filters as `TokenService` takes them. */
  static filterOf(dto: TokenFilterDto): TokenFilter {
    return {
      userId: dto.userId,
      tokenType: dto.tokenType,
      scope: dto.scope,
      createdBefore: dto.createdBefore === undefined ? undefined : new Date(dto.createdBefore),
      unusedSince: dto.unusedSince === undefined ? undefined : new Date(dto.unusedSince),
    };
  }
}
