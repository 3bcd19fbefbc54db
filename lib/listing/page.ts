import { KeysmithValidationError } from '../errors/keysmith-validation.error.js';

/** Items a listing answers when it is given no `limit`. */
export const DEFAULT_LIST_LIMIT = 100;

/** Refuses a `limit` that is not a whole number of at least 1, or an `offset` that is not one of at least 0. */
export function checkPage(limit: unknown, offset: unknown): void {
  if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) >= 1)) {
    throw new KeysmithValidationError(`limit must be a whole number of at least 1; got ${JSON.stringify(limit)}.`, 'limit');
  }
  if (offset !== undefined && !(Number.isInteger(offset) && (offset as number) >= 0)) {
    throw new KeysmithValidationError(`offset must be a whole number of at least 0; got ${JSON.stringify(offset)}.`, 'offset');
  }
}
