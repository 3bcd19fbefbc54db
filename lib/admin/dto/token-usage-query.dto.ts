import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { USAGE_BUCKETS, type UsageBucketSize } from '../../usage/usage-report.js';
import { ApiPropertyOptional } from '../swagger/optional-swagger.js';

/** Query of `GET <path>/api/tokens/:id/usage`. */
export class TokenUsageQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'From the minute of this moment (ISO 8601); default: 24 hours before `until`.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Until this moment, excluded (ISO 8601); default: now.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;

  @ApiPropertyOptional({ enum: USAGE_BUCKETS, default: 'hour', description: 'UTC buckets of a minute, an hour or a day.' })
  @IsOptional()
  @IsIn(USAGE_BUCKETS)
  bucket?: UsageBucketSize;
}
