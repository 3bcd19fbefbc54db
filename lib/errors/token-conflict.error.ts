import { ConflictException } from '@nestjs/common';

/**
 * A change that lost a race: another request changed the token between reading it and writing
 * (two rotations at once, say). Nothing was changed; a 409 over HTTP. Read the token again and
 * retry if the change still makes sense.
 */
export class TokenConflictError extends ConflictException {
  constructor(message: string) {
    super(message);
  }
}
