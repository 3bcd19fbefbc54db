import type { Token } from '../entities/token.entity.js';
import { TokenNotFoundError } from '../errors/token-not-found.error.js';
import type { TokenService } from '../services/token.service.js';

/** The token a command line names by its id or its prefix; throws `TokenNotFoundError` for neither. */
export async function findTokenByReference(tokens: TokenService, reference: string): Promise<Token> {
  const token = (await tokens.findById(reference)) ?? (await tokens.findByPrefix(reference));
  if (!token) throw new TokenNotFoundError(reference);
  return token;
}
