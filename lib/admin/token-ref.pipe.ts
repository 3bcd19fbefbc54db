import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREFIX = /^[A-Za-z0-9]{1,54}_[A-Za-z0-9]{8}$/;

/** Lets through a token id (uuid) or prefix (`tok_ab12CD34`), and refuses anything else with 400 before a query. */
@Injectable()
export class TokenRefPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value === 'string' && (UUID.test(value) || PREFIX.test(value))) return value;
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: ['id must be a token id (uuid) or prefix (tok_ab12CD34)'],
      fields: [{ field: 'id', errors: ['id must be a token id (uuid) or prefix (tok_ab12CD34)'] }],
    });
  }
}
