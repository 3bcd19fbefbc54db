import { normalizeMountPath } from '../request/mount-path.js';
import { KEYSMITH_ADMIN_DEFAULT_PATH } from './keysmith-admin.constants.js';

/** The admin mount path with one leading slash and no trailing one (`'/'` stays `'/'`). */
export function normalizeAdminPath(path: string = KEYSMITH_ADMIN_DEFAULT_PATH): string {
  return normalizeMountPath(path, 'KeysmithAdminModule path');
}
