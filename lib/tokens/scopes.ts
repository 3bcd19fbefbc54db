/** The scope that grants every other one, accepted only where `availableScopes` lists it. */
export const ALL_SCOPES = '*';

const WILDCARD_SUFFIX = ':*';

/**
 * Whether a granted scope grants `required`: the same scope, `*`, or a wildcard over a namespace
 * (`notes:*` grants `notes:read`, `notes:write` and `notes:drafts:read`, but not `notes`).
 */
export function grantsScope(granted: string, required: string): boolean {
  if (granted === required || granted === ALL_SCOPES) return true;
  return isNamespaceWildcard(granted) && required.startsWith(granted.slice(0, -1));
}

/** `notes:*`: a namespace followed by `:*`, with no other `*`. */
export function isNamespaceWildcard(scope: string): boolean {
  return scope.length > WILDCARD_SUFFIX.length && scope.endsWith(WILDCARD_SUFFIX) && scope.indexOf('*') === scope.length - 1;
}

/**
 * Why a scope cannot be granted, or `null` when it can. `*` only where `availableScopes` lists
 * it; `*` elsewhere than as a namespace wildcard (`notes:*`) never. With `availableScopes` set, a
 * scope must be one a listed scope grants (itself, or a listed wildcard over it), and a wildcard
 * may also be one that grants a listed scope.
 */
export function scopeProblem(scope: string, availableScopes: readonly string[]): string | null {
  if (scope === ALL_SCOPES) {
    return availableScopes.includes(ALL_SCOPES) ? null : '"*" grants every scope; list "*" in availableScopes to allow it';
  }
  const wildcard = isNamespaceWildcard(scope);
  if (scope.includes('*') && !wildcard) return `"${scope}" is not a valid wildcard; write a namespace followed by ":*", such as "notes:*"`;
  if (availableScopes.length === 0 || availableScopes.some((available) => grantsScope(available, scope))) return null;
  if (wildcard && availableScopes.some((available) => grantsScope(scope, available))) return null;
  return `unknown scope "${scope}"; available scopes: ${availableScopes.join(', ')}`;
}
