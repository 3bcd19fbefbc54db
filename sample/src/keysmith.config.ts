import type { KeysmithModuleOptions } from 'nestjs-keysmith';
import type { Repository } from 'typeorm';
import type { User } from './users/user.entity.js';

/** Scopes a token of this app may carry. */
export const SCOPES = ['read', 'write'];

/** How the sample configures nestjs-keysmith; `users` backs `@KeysmithUser()`. */
export function keysmithOptions(users: Repository<User>): KeysmithModuleOptions {
  return {
    availableScopes: SCOPES,
    defaultScopes: ['read'],
    resolveUser: (userId) => users.findOneBy({ id: Number(userId) }),
  };
}
