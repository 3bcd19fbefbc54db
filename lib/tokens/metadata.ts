/**
 * A token's `metadata`: the application's own JSON object. Its values are typed `any`, as the audit
 * log's `extra` is, since TypeORM cannot type a recursive JSON type.
 */
export type TokenMetadata = Record<string, any>;

/**
 * Why a value cannot be a token's metadata, or `null` when it can: a plain JSON object (strings,
 * finite numbers, booleans, `null`, arrays and plain objects all the way down) of at most
 * `maxBytes` serialized as UTF-8. Values `JSON.stringify` would drop or change (a function,
 * `undefined`, a `Date`, `NaN`) are refused rather than stored as something else.
 */
export function metadataProblem(metadata: unknown, maxBytes: number): string | null {
  if (!isPlainObject(metadata)) return 'metadata must be a JSON object, such as { "team": "billing" }';
  let json: string;
  try {
    json = JSON.stringify(metadata);
  } catch (error) {
    // A cycle, a BigInt, or nesting deeper than the stack.
    return `metadata cannot be written as JSON: ${(error as Error).message}`;
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) return `metadata is ${bytes} bytes as JSON; the limit (maxMetadataBytes) is ${maxBytes}`;
  return nonJsonValue(metadata);
}

/** The first value JSON would not keep as it is, by its path; the walk is a loop, so any depth fits. */
function nonJsonValue(metadata: Record<string, unknown>): string | null {
  const pending: Array<[string, unknown]> = [['metadata', metadata]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [path, value] = next;
    if (value === null || typeof value === 'string' || typeof value === 'boolean') continue;
    if (typeof value === 'number') {
      if (Number.isFinite(value)) continue;
      return `${path} is ${value}, which JSON cannot hold`;
    }
    if (typeof value !== 'object')
      return `${path} is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}, which JSON cannot hold`;
    if (Array.isArray(value)) value.forEach((item, index) => pending.push([`${path}[${index}]`, item]));
    else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) pending.push([`${path}.${key}`, item]);
    else return `${path} is a ${value.constructor?.name ?? 'object'}, not a plain JSON value`;
  }
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
