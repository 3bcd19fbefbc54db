import { USAGE_BUCKETS, type UsageBucketSize } from '../../usage/usage-report.js';
import { ApiProperty } from '../swagger/optional-swagger.js';

const OUTCOMES = {
  type: 'object',
  additionalProperties: { type: 'integer' },
  description:
    "Requests by outcome: `success`, or the refusal's `error_code` (`revoked_token`, `insufficient_scope`, `rate_limited`, ...).",
  example: { success: 120, insufficient_scope: 2 },
} as const;

/** One bucket of `GET <path>/api/tokens/:id/usage`. */
export class UsageBucketDto {
  @ApiProperty({ format: 'date-time', description: 'The start of the UTC minute, hour or day.' }) start!: Date;
  @ApiProperty() successes!: number;
  @ApiProperty() refusals!: number;
  @ApiProperty(OUTCOMES) outcomes!: Record<string, number>;
}

/** `GET <path>/api/tokens/:id/usage`: the totals of the range and its buckets that have requests, oldest first. */
export class TokenUsageDto {
  @ApiProperty({ format: 'uuid' }) tokenId!: string;
  @ApiProperty({ format: 'date-time', description: 'The start of the first minute counted.' }) since!: Date;
  @ApiProperty({ format: 'date-time', description: 'The end of the range, excluded.' }) until!: Date;
  @ApiProperty({ enum: USAGE_BUCKETS }) bucket!: UsageBucketSize;
  @ApiProperty() successes!: number;
  @ApiProperty() refusals!: number;
  @ApiProperty(OUTCOMES) outcomes!: Record<string, number>;
  @ApiProperty({ type: [UsageBucketDto] }) buckets!: UsageBucketDto[];
}
