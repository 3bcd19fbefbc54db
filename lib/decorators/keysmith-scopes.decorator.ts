import { SetMetadata } from '@nestjs/common';
import { ANY_OF_SCOPES_METADATA, SCOPES_METADATA } from '../keysmith.internal-constants.js';

/** `@KeysmithScopes({ anyOf: ['notes:read', 'notes:admin'] })`: the token needs one of them. */
export interface AnyOfScopes {
  anyOf: string[];
}

/**
 * The scopes a route requires. `@KeysmithScopes('read', 'write')`: the token must have all of
 * them; `@KeysmithScopes({ anyOf: ['read', 'admin'] })`: at least one. On a class and on a handler
 * every requirement applies (they are merged), so a controller can require `read` and one of its
 * handlers `write` on top. A granted wildcard counts for the scopes it covers: `notes:*` satisfies
 * `notes:read`.
 */
export function KeysmithScopes(...scopes: string[]): MethodDecorator & ClassDecorator;
export function KeysmithScopes(anyOf: AnyOfScopes): MethodDecorator & ClassDecorator;
export function KeysmithScopes(...required: string[] | [AnyOfScopes]): MethodDecorator & ClassDecorator {
  const [first] = required;
  if (typeof first === 'object' && first !== null) {
    if (!Array.isArray(first.anyOf) || first.anyOf.length === 0 || !first.anyOf.every((scope) => typeof scope === 'string' && scope)) {
      throw new TypeError('@KeysmithScopes({ anyOf }) needs a non-empty array of scopes.');
    }
    // One list per decorated target; getAllAndMerge joins the handler's and the class's.
    return SetMetadata(ANY_OF_SCOPES_METADATA, [first.anyOf]);
  }
  return SetMetadata(SCOPES_METADATA, required as string[]);
}
