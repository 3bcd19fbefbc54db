import type { Token } from '../entities/token.entity.js';
import { formatMoment } from './table.js';

export const TOKEN_TABLE_HEADERS = ['PREFIX', 'NAME', 'USER', 'SCOPES', 'STATE', 'EXPIRES', 'LAST USED'];

export function tokenTableRow(token: Token): string[] {
  return [
    token.prefix,
    token.name,
    token.userId ?? '-',
    token.scopes.length > 0 ? token.scopes.join(',') : '-',
    token.state,
    formatMoment(token.expiresAt, 'never'),
    formatMoment(token.lastUsedAt, 'never'),
  ];
}

/** A token for `--json`: every column but the hash of its secret, and its state. */
export function tokenJson(token: Token) {
  return {
    id: token.id,
    prefix: token.prefix,
    name: token.name,
    description: token.description,
    tokenType: token.tokenType,
    userId: token.userId,
    createdById: token.createdById,
    scopes: token.scopes,
    state: token.state,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revoked: token.revoked,
    purged: token.purged,
  };
}
