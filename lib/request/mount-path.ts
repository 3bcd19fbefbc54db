import { KeysmithConfigurationError } from '../errors/keysmith-configuration.error.js';

const PATH_PATTERN = /^[A-Za-z0-9._~/-]*$/;

/** A module's mount path with one leading slash and no trailing one (`'/'` stays `'/'`); `option` names it in the error. */
export function normalizeMountPath(path: unknown, option: string): string {
  if (typeof path !== 'string' || !PATH_PATTERN.test(path)) {
    throw new KeysmithConfigurationError(
      option,
      `"${String(path)}" must be a plain URL path (letters, digits, "-", "_", ".", "~", "/"), such as "/keysmith".`,
    );
  }
  return `/${path.replace(/^\/+|\/+$/g, '')}`;
}
