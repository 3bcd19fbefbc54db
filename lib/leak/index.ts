export * from './keysmith-leak-options.interface.js';
export { KeysmithLeakModule } from './keysmith-leak.module.js';
export { GITHUB_SECRET_SCANNING_KEYS_URL, KEYSMITH_LEAK_DEFAULT_PATH, LEAK_ACTIONS } from './leak-options.js';
