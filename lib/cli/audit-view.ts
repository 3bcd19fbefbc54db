import { In } from 'typeorm';
import type { TokenAuditLog } from '../entities/token-audit-log.entity.js';
import type { CommandContext } from './command.js';
import { formatMoment, renderTable } from './table.js';

const AUDIT_TABLE_HEADERS = ['TIME', 'ACTION', 'TOKEN', 'STATUS', 'REQUEST', 'IP', 'EXTRA'];

/** Audit rows as the CLI prints them: a table, or with `json` their JSON with each token's prefix. */
export async function renderAuditRows(context: CommandContext, rows: readonly TokenAuditLog[], json: boolean): Promise<string> {
  const prefixes = await prefixesOf(context, rows);
  if (json) {
    const withPrefixes = rows.map((row) => ({ ...row, tokenPrefix: row.tokenId === null ? null : (prefixes.get(row.tokenId) ?? null) }));
    return `${JSON.stringify(withPrefixes, null, 2)}\n`;
  }
  return renderTable(
    AUDIT_TABLE_HEADERS,
    rows.map((row) => auditTableRow(row, prefixes)),
  );
}

/** Prefix of each token the rows name, found in one query: rows only hold the token's id. */
async function prefixesOf({ tokenRepository }: CommandContext, rows: readonly TokenAuditLog[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((row) => row.tokenId).filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Map();
  const found = await tokenRepository.find({ select: { id: true, prefix: true }, where: { id: In(ids) } });
  return new Map(found.map((token) => [token.id, token.prefix]));
}

function auditTableRow(row: TokenAuditLog, prefixes: ReadonlyMap<string, string>): string[] {
  return [
    formatMoment(row.createdAt, '-'),
    row.action,
    row.tokenId === null ? '-' : (prefixes.get(row.tokenId) ?? row.tokenId),
    row.statusCode === null ? '-' : String(row.statusCode),
    row.method && row.path ? `${row.method} ${row.path}` : '-',
    row.ipAddress ?? '-',
    Object.keys(row.extra).length > 0 ? JSON.stringify(row.extra) : '-',
  ];
}
