import type { Token, TokenType } from '../../entities/token.entity.js';
import type { Quota } from '../../limits/quota.js';
import type { RateLimit } from '../../limits/rate-limit.js';
import type { TokenMetadata } from '../../tokens/metadata.js';
import { tokenView } from '../../tokens/token-view.js';
import { TOKEN_STATES, type TokenState } from '../../tokens/token-service.interface.js';
import { ApiProperty } from '../swagger/optional-swagger.js';

/** A token as the admin API shows it: everything but the hashes of its secrets. */
export class TokenViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'tok_ab12CD34' }) prefix!: string;
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: ['user', 'system'] }) tokenType!: TokenType;
  @ApiProperty({ type: String, nullable: true }) userId!: string | null;
  @ApiProperty({ type: String, nullable: true }) createdById!: string | null;
  @ApiProperty({ type: [String] }) scopes!: string[];
  @ApiProperty({ enum: TOKEN_STATES }) state!: TokenState;
  @ApiProperty() revoked!: boolean;
  @ApiProperty() purged!: boolean;
  @ApiProperty({ description: 'Switched off by disable, until enable.' }) disabled!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt!: Date | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the secret a rotation with a grace period replaced stops working; null when there is none.',
  })
  previousSecretExpiresAt!: Date | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) metadata!: TokenMetadata | null;
  @ApiProperty({ type: [String], nullable: true, description: 'null: accepted from anywhere.' }) allowedIps!: string[] | null;
  @ApiProperty({
    type: 'object',
    properties: { limit: { type: 'integer' }, windowSeconds: { type: 'integer' } },
    nullable: true,
    description: "At most limit requests per windowSeconds; null: the defaultRateLimit option's, if set.",
  })
  rateLimit!: RateLimit | null;
  @ApiProperty({
    type: 'object',
    properties: {
      remaining: { type: 'integer' },
      refill: { type: 'object', nullable: true, properties: { amount: { type: 'integer' }, intervalSeconds: { type: 'integer' } } },
    },
    nullable: true,
    description: 'As last written to the database, about a second behind the live figure of TokenService.quotaOf(); null: unlimited.',
  })
  quota!: Quota | null;

  /** The view of a token, with its state worked out from `revoked`, `purged`, `disabled` and `expiresAt`. */
  static of(token: Token): TokenViewDto {
    return Object.assign(new TokenViewDto(), tokenView(token));
  }
}
