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
 * Why a scope with a `*` cannot be granted, or `null`: `*` alone only where `availableScopes`
 * lists it, and `*` elsewhere than as a namespace wildcard (`notes:*`) never.
 */
export function wildcardProblem(scope: string, availableScopes: readonly string[]): string | null {
  if (scope === ALL_SCOPES) {
    return availableScopes.includes(ALL_SCOPES) ? null : '"*" grants every scope; list "*" in availableScopes to allow it';
  }
  if (scope.includes('*') && !isNamespaceWildcard(scope)) {
    return `"${scope}" is not a valid wildcard; write a namespace followed by ":*", such as "notes:*"`;
  }
  return null;
}

/**
 * Whether `availableScopes` allows granting a scope: any scope when it is empty; else one a listed
 * scope grants (itself, or a listed wildcard over it), or a wildcard that grants a listed scope.
 */
export function isAvailable(scope: string, availableScopes: readonly string[]): boolean {
  if (availableScopes.length === 0 || availableScopes.some((available) => grantsScope(available, scope))) return true;
  return isNamespaceWildcard(scope) && availableScopes.some((available) => grantsScope(scope, available));
}
