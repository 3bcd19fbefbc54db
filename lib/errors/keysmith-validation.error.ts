import { BadRequestException } from '@nestjs/common';

/**
 * Refused input to `TokenService` (a bad name, scope, date, address or state); a 400 over HTTP.
 * When one input field is at fault, `field` names it, and the answer lists it as the admin API's
 * validation errors do: `{ statusCode: 400, error: 'Bad Request', message, fields: [{ field, errors: [message] }] }`.
 */
export class KeysmithValidationError extends BadRequestException {
  constructor(
    message: string,
    /** The input field at fault (`allowedIps`, `metadata`, `graceSeconds`, ...), when one is. */
    readonly field?: string,
  ) {
    super(field === undefined ? message : { statusCode: 400, error: 'Bad Request', message, fields: [{ field, errors: [message] }] });
  }
}
