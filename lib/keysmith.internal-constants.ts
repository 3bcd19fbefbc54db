// Plain string keys rather than Reflector.createDecorator: two copies of the package in one
// process (a linked library, a monorepo) still read each other's route metadata.
export const SCOPES_METADATA = 'keysmith:scopes';
export const ANY_OF_SCOPES_METADATA = 'keysmith:scopes-any-of';
export const OPTIONAL_METADATA = 'keysmith:optional';
export const PUBLIC_METADATA = 'keysmith:public';

export const KEYSMITH_MODULE_OPTIONS = Symbol.for('nestjs-keysmith:module-options');
export const KEYSMITH_TOKEN_REPOSITORY = Symbol.for('nestjs-keysmith:token-repository');
export const KEYSMITH_AUDIT_LOG_REPOSITORY = Symbol.for('nestjs-keysmith:audit-log-repository');
export const KEYSMITH_NOTICE_REPOSITORY = Symbol.for('nestjs-keysmith:notice-repository');
export const KEYSMITH_CLAIM_REPOSITORY = Symbol.for('nestjs-keysmith:claim-repository');
export const KEYSMITH_USAGE_REPOSITORY = Symbol.for('nestjs-keysmith:usage-repository');
/** The failed-attempts limit: in this process, or in Redis with the `redis` option. */
export const KEYSMITH_FAILED_ATTEMPTS = Symbol.for('nestjs-keysmith:failed-attempts');

export const LOGGER_CONTEXT = 'Keysmith';
export const COST_METADATA = 'keysmith:cost';
