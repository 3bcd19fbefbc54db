// The `nestjs-keysmith/throttler` entry point: apart from the package root, so that only an
// application that uses it needs `@nestjs/throttler`.
export {
  KEYSMITH_IP_TRACKER_PREFIX,
  KEYSMITH_TOKEN_TRACKER_PREFIX,
  KeysmithThrottlerGuard,
} from './throttling/keysmith-throttler.guard.js';
