import { ApiProperty, ApiPropertyOptional } from '../swagger/optional-swagger.js';
import { TokenViewDto } from './token-view.dto.js';

/** What a bulk action did to one token. */
export class BulkItemResultDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() ok!: boolean;
  @ApiPropertyOptional({ type: TokenViewDto }) token?: TokenViewDto;
  @ApiPropertyOptional({ description: 'Bulk rotate only: the new raw token, shown this once.' }) rawToken?: string;
  @ApiPropertyOptional({ description: 'Why this token was left as it was.' }) error?: string;
  @ApiPropertyOptional({ description: 'The status a single request would have answered with.' }) statusCode?: number;
}

/** Answer of the bulk endpoints: one result per id, in the order given. */
export class BulkResultDto {
  @ApiProperty({ type: [BulkItemResultDto] }) results!: BulkItemResultDto[];
}
