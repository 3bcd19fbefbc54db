import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { LifecycleInput } from '../tokens/token-service.interface.js';
import { KEYSMITH_REQUEST_TOKEN } from '../keysmith.constants.js';
import { getRequest } from '../request/get-request.js';
import { at } from '../request/property.js';
import { KEYSMITH_ADMIN_SOURCE } from './keysmith-admin.constants.js';

/**
 * Who does a lifecycle action through the admin API, for its audit row: the acting token's id as
 * `actor` (`null` when the admin guard attached no token), the request, and `source: 'admin'`.
 */
export const AdminAction = createParamDecorator((_data: unknown, context: ExecutionContext): LifecycleInput => {
  const request = getRequest(context);
  const actor = at(request, KEYSMITH_REQUEST_TOKEN, 'id');
  return { actor: typeof actor === 'string' ? actor : null, request, source: KEYSMITH_ADMIN_SOURCE };
});
