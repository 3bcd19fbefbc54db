export * from './keysmith-optional.decorator.js';
export * from './keysmith-public.decorator.js';
export * from './keysmith-scopes.decorator.js';
export * from './keysmith-token.decorator.js';
export * from './keysmith-user.decorator.js';
export * from './keysmith-cost.decorator.js';
