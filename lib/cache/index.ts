export * from './cache-invalidation.service.js';
export * from './verification-cache.js';
