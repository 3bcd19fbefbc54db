// The `nestjs-keysmith/passport` entry point: apart from the package root, so that only an
// application that uses it needs `@nestjs/passport` and `passport`.
export { KEYSMITH_STRATEGY, KeysmithStrategy } from './passport/keysmith.strategy.js';
