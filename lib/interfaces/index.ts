export * from './keysmith-options.interface.js';
export * from './token-hasher.interface.js';
export * from './token-service.interface.js';
