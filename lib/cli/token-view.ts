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
