import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { TOKEN_NAME_MAX_LENGTH } from '../../entities/token.entity.js';
import { MAX_ALLOWED_IPS } from '../../tokens/token-input.js';
import { ApiProperty, ApiPropertyOptional } from '../swagger/optional-swagger.js';

// The fields a token is created and updated with, validated alike by both bodies. What only the
// service can check (scopes against availableScopes, addresses, metadata size) it refuses with a
// 400 naming the field.

export const NameField = (required: boolean): PropertyDecorator =>
  applyDecorators(
    required
      ? ApiProperty({ maxLength: TOKEN_NAME_MAX_LENGTH, example: 'billing-export' })
      : ApiPropertyOptional({ maxLength: TOKEN_NAME_MAX_LENGTH }),
    ...(required ? [] : [IsOptional()]),
    IsString(),
    IsNotEmpty(),
    MaxLength(TOKEN_NAME_MAX_LENGTH),
  );

export const DescriptionField = (): PropertyDecorator =>
  applyDecorators(ApiPropertyOptional({ maxLength: 2000 }), IsOptional(), IsString(), MaxLength(2000));

export const ScopesField = (description: string): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ type: [String], description, example: ['notes:read'] }),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(64),
    IsString({ each: true }),
    IsNotEmpty({ each: true }),
    MaxLength(128, { each: true }),
  );

export const ExpiresAtField = (description: string): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description }),
    IsOptional(),
    IsISO8601({ strict: true }),
  );

export const MetadataField = (description: string): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, description, example: { team: 'billing' } }),
    IsOptional(),
    IsObject(),
  );

export const AllowedIpsField = (description: string): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ type: [String], nullable: true, maxItems: MAX_ALLOWED_IPS, description, example: ['203.0.113.7', '10.0.0.0/8'] }),
    IsOptional(),
    IsArray(),
    ArrayMaxSize(MAX_ALLOWED_IPS),
    IsString({ each: true }),
    MaxLength(64, { each: true }),
  );

export const RateLimitField = (description: string): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'object',
      properties: { limit: { type: 'integer', minimum: 1 }, windowSeconds: { type: 'integer', minimum: 1 } },
      required: ['limit', 'windowSeconds'],
      nullable: true,
      description,
      example: { limit: 100, windowSeconds: 60 },
    }),
    IsOptional(),
    IsObject(),
  );

export const QuotaField = (description: string): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'object',
      properties: {
        remaining: { type: 'integer', minimum: 0 },
        refill: {
          type: 'object',
          nullable: true,
          properties: { amount: { type: 'integer', minimum: 1 }, intervalSeconds: { type: 'integer', minimum: 1 } },
        },
      },
      required: ['remaining'],
      nullable: true,
      description,
      example: { remaining: 1000, refill: { amount: 1000, intervalSeconds: 86400 } },
    }),
    IsOptional(),
    IsObject(),
  );
