import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsUUID } from 'class-validator';
import { ApiProperty } from '../swagger/optional-swagger.js';

/** Most tokens one bulk request acts on. */
export const MAX_BULK_TOKENS = 100;

/** Body of the bulk revoke, purge and rotate endpoints. */
export class BulkTokensDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: MAX_BULK_TOKENS })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_BULK_TOKENS)
  @IsUUID('all', { each: true })
  ids!: string[];
}
