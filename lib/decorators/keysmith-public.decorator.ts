import { SetMetadata } from '@nestjs/common';
import { PUBLIC_METADATA } from '../keysmith.internal-constants.js';

/** The guard skips this route entirely (for a guard registered globally with `APP_GUARD`). */
export const KeysmithPublic = (isPublic = true): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_METADATA, isPublic);
