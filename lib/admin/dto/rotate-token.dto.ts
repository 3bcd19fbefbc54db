import { applyDecorators } from '@nestjs/common';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_GRACE_SECONDS } from '../../tokens/token-input.js';
import { ApiPropertyOptional } from '../swagger/optional-swagger.js';
import { BulkTokensDto } from './bulk-tokens.dto.js';

const GraceSecondsField = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      minimum: 0,
      maximum: MAX_GRACE_SECONDS,
      default: 0,
      description: 'Seconds the previous secret keeps working (until the expiry at the latest); 0: it stops at once.',
    }),
    IsOptional(),
    IsInt(),
    Min(0),
    Max(MAX_GRACE_SECONDS),
  );

/** Body of `POST <path>/api/tokens/:id/rotate` (optional). */
export class RotateTokenDto {
  @GraceSecondsField()
  graceSeconds?: number;
}

/** Body of `POST <path>/api/tokens/bulk/rotate`. */
export class BulkRotateDto extends BulkTokensDto {
  @GraceSecondsField()
  graceSeconds?: number;
}
