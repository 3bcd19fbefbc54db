const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value has the shape of a token's id (a UUID). */
export function isTokenId(value: string): boolean {
  return UUID_PATTERN.test(value);
}
