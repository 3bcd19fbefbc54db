import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { TOKEN_TYPES, type TokenType } from '../../entities/token.entity.js';
import type { Quota } from '../../limits/quota.js';
import type { RateLimit } from '../../limits/rate-limit.js';
import type { TokenMetadata } from '../../tokens/metadata.js';
import { ApiPropertyOptional } from '../swagger/optional-swagger.js';
import {
  AllowedIpsField,
  DescriptionField,
  ExpiresAtField,
  MetadataField,
  NameField,
  QuotaField,
  RateLimitField,
  ScopesField,
} from './token-fields.js';

/** Body of `POST <path>/api/tokens`. */
export class CreateTokenDto {
  @NameField(true)
  name!: string;

  @DescriptionField()
  description?: string;

  @ApiPropertyOptional({ description: 'Owner of the token.', maxLength: 255 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  userId?: string;

  @ScopesField('Default: the `defaultScopes` option.')
  scopes?: string[];

  @ExpiresAtField('ISO 8601. Omitted: the default expiry; `null`: never expires.')
  expiresAt?: string | null;

  @ApiPropertyOptional({ enum: TOKEN_TYPES, default: 'user' })
  @IsOptional()
  @IsIn(TOKEN_TYPES)
  tokenType?: TokenType;

  @MetadataField('A JSON object of your own, at most `maxMetadataBytes` as JSON.')
  metadata?: TokenMetadata | null;

  @AllowedIpsField('IPv4 and IPv6 addresses and CIDR ranges the token is accepted from. Omitted, `null` or `[]`: anywhere.')
  allowedIps?: string[] | null;

  @RateLimitField('At most `limit` requests per `windowSeconds`. Omitted or `null`: the `defaultRateLimit` option, if set.')
  rateLimit?: RateLimit | null;

  @QuotaField('Calls the token may make, given back every `refill.intervalSeconds`. Omitted or `null`: unlimited.')
  quota?: Quota | null;
}
