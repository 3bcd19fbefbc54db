import { SetMetadata } from '@nestjs/common';
import { OPTIONAL_METADATA } from '../keysmith.internal-constants.js';

/**
 * A request without a token passes as anonymous (`@KeysmithToken()` and `@KeysmithUser()` are
 * `null`); a token that is sent must still be valid. The handler's setting wins over the class's.
 */
export const KeysmithOptional = (optional = true): MethodDecorator & ClassDecorator => SetMetadata(OPTIONAL_METADATA, optional);
