import { Token } from '../entities/token.entity.js';

/**
 * A copy that shares nothing mutable with the original: its scopes, its dates and any object it
 * holds are copies too. The verification cache keeps one and hands out others, so a handler that
 * pushes a scope or moves an expiry changes only the copy it was given.
 */
export function copyToken(token: Token): Token {
  const copy = new Token();
  for (const [field, value] of Object.entries(token)) {
    (copy as unknown as Record<string, unknown>)[field] = value !== null && typeof value === 'object' ? structuredClone(value) : value;
  }
  return copy;
}
