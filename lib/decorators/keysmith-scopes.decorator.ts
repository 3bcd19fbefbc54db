import { SetMetadata } from '@nestjs/common';
import { SCOPES_METADATA } from '../keysmith.internal-constants.js';

/**
 * Scopes the token must all have. On a class and on a handler both lists apply (they are merged),
 * so a controller can require `read` and one of its handlers `write` on top.
 */
export const KeysmithScopes = (...scopes: string[]): MethodDecorator & ClassDecorator => SetMetadata(SCOPES_METADATA, scopes);
