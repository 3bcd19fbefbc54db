import { KEYSMITH_ADMIN_SCOPE, type HasherName, type KeysmithModuleOptions } from 'nestjs-keysmith';
import type { Repository } from 'typeorm';
import type { User } from './users/user.entity.js';

/** Scopes a token of this app may carry; `keysmith:admin` opens the admin console. */
export const SCOPES = ['read', 'write', KEYSMITH_ADMIN_SCOPE];

/**
 * How the sample configures nestjs-keysmith; `users` backs `@KeysmithUser()`. Three settings come
 * from the environment when set (the benchmark uses them; the library checks the values):
 * `KEYSMITH_HASHER` (`bcrypt`, `sha256` or `pbkdf2_sha512`, for new tokens),
 * `KEYSMITH_CACHE_TTL_SECONDS` (`0` turns the verification cache off) and `KEYSMITH_REDIS` (a Redis
 * URL: instances sharing it drop a revoked token from their caches at once).
 */
export function keysmithOptions(users: Repository<User>, env: NodeJS.ProcessEnv = process.env): KeysmithModuleOptions {
  return {
    availableScopes: SCOPES,
    defaultScopes: ['read'],
    resolveUser: (userId) => users.findOneBy({ id: Number(userId) }),
    // keysmith.token.expiring a week and a day before a token expires, which KeysmithNotifications logs.
    expiryWarnings: { daysBefore: [7, 1] },
    ...(env.KEYSMITH_HASHER ? { hasher: env.KEYSMITH_HASHER as HasherName } : {}),
    ...(env.KEYSMITH_CACHE_TTL_SECONDS ? { cacheTtlSeconds: Number(env.KEYSMITH_CACHE_TTL_SECONDS) } : {}),
    ...(env.KEYSMITH_REDIS ? { redis: env.KEYSMITH_REDIS } : {}),
  };
}
