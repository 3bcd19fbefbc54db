import { ArrayMaxSize, IsArray, IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { TOKEN_NAME_MAX_LENGTH, TOKEN_TYPES, type TokenType } from '../../entities/token.entity.js';
import { ApiProperty, ApiPropertyOptional } from '../swagger/optional-swagger.js';

/** Body of `POST <path>/api/tokens`. */
export class CreateTokenDto {
  @ApiProperty({ maxLength: TOKEN_NAME_MAX_LENGTH, example: 'billing-export' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TOKEN_NAME_MAX_LENGTH)
  name!: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ description: 'Owner of the token.', maxLength: 255 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  userId?: string;

  @ApiPropertyOptional({ type: [String], description: 'Default: the `defaultScopes` option.', example: ['read'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(128, { each: true })
  scopes?: string[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'ISO 8601. Omitted: the default expiry; `null`: never expires.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string | null;

  @ApiPropertyOptional({ enum: TOKEN_TYPES, default: 'user' })
  @IsOptional()
  @IsIn(TOKEN_TYPES)
  tokenType?: TokenType;
}
