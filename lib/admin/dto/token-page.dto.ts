import { ApiProperty } from '../swagger/optional-swagger.js';
import { TokenViewDto } from './token-view.dto.js';

/** A page of `GET <path>/api/tokens`. */
export class TokenPageDto {
  @ApiProperty({ type: [TokenViewDto] }) items!: TokenViewDto[];
  @ApiProperty({ description: 'Tokens matching the filters, on every page.' }) total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}
