import { BadRequestException } from '@nestjs/common';

/** Refused input to `TokenService` (a bad name, scope, date or state); a 400 over HTTP. */
export class KeysmithValidationError extends BadRequestException {
  constructor(message: string) {
    super(message);
  }
}
