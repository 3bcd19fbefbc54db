export * from './keysmith-configuration.error.js';
export * from './keysmith-validation.error.js';
export * from './token-auth.errors.js';
export * from './token-not-found.error.js';
export * from './token-conflict.error.js';
export * from './keysmith-schema.error.js';
