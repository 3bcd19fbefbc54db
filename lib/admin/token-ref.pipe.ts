import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { isTokenPrefix } from '../token-format/token-format.js';
import { isTokenId } from '../tokens/token-id.js';

/** Lets through a token id (uuid) or prefix (`tok_ab12CD34`), and refuses anything else with 400 before a query. */
@Injectable()
export class TokenRefPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value === 'string' && (isTokenId(value) || isTokenPrefix(value))) return value;
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: ['id must be a token id (uuid) or prefix (tok_ab12CD34)'],
      fields: [{ field: 'id', errors: ['id must be a token id (uuid) or prefix (tok_ab12CD34)'] }],
    });
  }
}
