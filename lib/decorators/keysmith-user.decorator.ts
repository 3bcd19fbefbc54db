import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { KEYSMITH_REQUEST_USER } from '../keysmith.constants.js';
import { getRequest } from '../request/get-request.js';
import { at } from '../request/property.js';

/** The user `resolveUser` returned for the token; `null` without a user, a resolver or a token. */
export const KeysmithUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => at(getRequest(context), KEYSMITH_REQUEST_USER) ?? null,
);
