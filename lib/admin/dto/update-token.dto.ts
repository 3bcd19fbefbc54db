import type { Quota } from '../../limits/quota.js';
import type { RateLimit } from '../../limits/rate-limit.js';
import type { TokenMetadata } from '../../tokens/metadata.js';
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

/** Body of `PATCH <path>/api/tokens/:id`: the fields to change; those left out stay as they are. */
export class UpdateTokenDto {
  @NameField(false)
  name?: string;

  @DescriptionField()
  description?: string;

  @ScopesField('Replaces the scopes.')
  scopes?: string[];

  @ExpiresAtField('ISO 8601; `null`: never expires.')
  expiresAt?: string | null;

  @MetadataField('Replaces the metadata; `null` removes it.')
  metadata?: TokenMetadata | null;

  @AllowedIpsField('Replaces the allowlist; `null` or `[]`: from anywhere.')
  allowedIps?: string[] | null;

  @RateLimitField('Replaces the rate limit; `null` removes it (`defaultRateLimit` applies again).')
  rateLimit?: RateLimit | null;

  @QuotaField('Sets the quota afresh (its refill periods start now); `null` removes it.')
  quota?: Quota | null;
}
