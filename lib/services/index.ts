export * from './audit-log.service.js';
export * from './token.service.js';
