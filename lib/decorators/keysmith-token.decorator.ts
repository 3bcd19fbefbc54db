import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { KEYSMITH_REQUEST_TOKEN } from '../keysmith.constants.js';
import { getRequest } from '../request/get-request.js';
import { at } from '../request/property.js';

/** The authenticated `Token`, or `null` on an anonymous `@KeysmithOptional()` request. */
export const KeysmithToken = createParamDecorator(
  (_data: unknown, context: ExecutionContext) => at(getRequest(context), KEYSMITH_REQUEST_TOKEN) ?? null,
);
