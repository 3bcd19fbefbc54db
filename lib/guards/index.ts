export * from './keysmith.guard.js';
