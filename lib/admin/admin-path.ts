import { KeysmithConfigurationError } from '../errors/keysmith-configuration.error.js';
import { KEYSMITH_ADMIN_DEFAULT_PATH } from './keysmith-admin.constants.js';

const PATH_PATTERN = /^[A-Za-z0-9._~/-]*$/;

/** The admin mount path with one leading slash and no trailing one (`'/'` stays `'/'`). */
export function normalizeAdminPath(path: string = KEYSMITH_ADMIN_DEFAULT_PATH): string {
  if (typeof path !== 'string' || !PATH_PATTERN.test(path)) {
    throw new KeysmithConfigurationError(
      'KeysmithAdminModule path',
      `"${String(path)}" must be a plain URL path (letters, digits, "-", "_", ".", "~", "/"), such as "/keysmith".`,
    );
  }
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return `/${trimmed}`;
}
