import { NotFoundException } from '@nestjs/common';

/** No token has the id or prefix a lifecycle method was given; a 404 over HTTP. */
export class TokenNotFoundError extends NotFoundException {
  constructor(readonly reference: string) {
    super(`No token has the id or prefix "${reference}".`);
  }
}
