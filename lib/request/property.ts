/**
 * The value at `path` inside an untyped object (a request, a socket, a message context), or
 * `undefined` as soon as a step is not an object: `at(socket, 'handshake', 'headers')`.
 */
export function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || (typeof current !== 'object' && typeof current !== 'function')) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Calls the method `name` of an untyped object, or answers `undefined` when it has none. */
export function callMethod(value: unknown, name: string, ...args: unknown[]): unknown {
  const method = at(value, name);
  return typeof method === 'function' ? (method as (...args: unknown[]) => unknown).apply(value, args) : undefined;
}
