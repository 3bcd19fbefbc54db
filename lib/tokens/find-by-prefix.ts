import type { Repository } from 'typeorm';
import type { Token } from '../entities/token.entity.js';

/** The token with this prefix, or `null`: one query on the unique `prefix` index. */
export async function findByPrefix(tokens: Repository<Token>, prefix: string): Promise<Token | null> {
  const token = await tokens.findOne({ where: { prefix } });
  // MySQL/MariaDB compare text without case or trailing spaces; a prefix must match exactly.
  return token?.prefix === prefix ? token : null;
}
