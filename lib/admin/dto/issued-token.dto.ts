import { ApiProperty } from '../swagger/optional-swagger.js';
import { TokenViewDto } from './token-view.dto.js';

/** A token and its raw value, answered once by create and rotate: the value is stored nowhere. */
export class IssuedTokenDto {
  @ApiProperty({ type: TokenViewDto }) token!: TokenViewDto;
  @ApiProperty({ description: 'The raw token; shown this once.', example: 'tok_ab12CD34:Xy…493021' }) rawToken!: string;
}
