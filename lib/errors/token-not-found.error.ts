import { NotFoundException } from '@nestjs/common';

/** No token has the id or prefix a lifecycle method was given; a 404 over HTTP. */
export class TokenNotFoundError extends NotFoundException {
  /** The id or prefix given; of a raw token given instead, only its prefix, so that its secret goes nowhere. */
  readonly reference: string;

  constructor(reference: string) {
    const shown = reference.includes(':') ? `${reference.slice(0, reference.indexOf(':'))}:…` : reference;
    super(`No token has the id or prefix "${shown}".`);
    this.reference = shown;
  }
}
