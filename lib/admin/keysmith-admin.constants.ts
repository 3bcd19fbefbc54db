/** The scope the default admin guard requires of a token. */
export const KEYSMITH_ADMIN_SCOPE = 'keysmith:admin';

/** Where `KeysmithAdminModule` mounts the page and the API unless `path` says otherwise. */
export const KEYSMITH_ADMIN_DEFAULT_PATH = '/keysmith';

/** Name of the API key security scheme `addKeysmithSecurity()` adds to an OpenAPI document. */
export const KEYSMITH_SECURITY_SCHEME = 'keysmith';

/** Injection token of the guard that protects the admin API. */
export const KEYSMITH_ADMIN_GUARD = Symbol.for('nestjs-keysmith:admin-guard');

/** Where the admin actions come from, recorded as the audit row's `extra.source`. */
export const KEYSMITH_ADMIN_SOURCE = 'admin';
