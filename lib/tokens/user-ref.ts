import type { UserRef } from './token-service.interface.js';

/** The id of a user given as an object with `id` or as the id itself; `null` for none. */
export function userIdOf(user: UserRef | null | undefined): string | null {
  if (user === null || user === undefined) return null;
  const id = typeof user === 'object' ? user.id : user;
  return id === null || id === undefined ? null : String(id);
}
