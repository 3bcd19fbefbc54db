import type { Token } from '../entities/token.entity.js';
import { tokenView } from '../tokens/token-view.js';
import { renderAuditRows } from './audit-view.js';
import type { CommandContext } from './command.js';
import { formatMoment, renderTable } from './table.js';

/**
 * Prints a token in full: each field of its public view on a line (`LAST USED  never`), then its
 * latest audit rows, newest first; with `json`, one object with those rows as `auditRows`.
 */
export async function showToken(context: CommandContext, token: Token, auditRows: number, json: boolean): Promise<void> {
  const { output } = context;
  const view = tokenView(token);
  const audit = auditRows === 0 ? { items: [], total: 0 } : await context.auditLog.listPage({ tokenId: token.id, limit: auditRows });
  if (json) {
    const rows = JSON.parse(await renderAuditRows(context, audit.items, true)) as unknown[];
    output.stdout(`${JSON.stringify({ ...view, auditRows: rows }, null, 2)}\n`);
    return;
  }
  const fields = Object.entries(view).map(([name, value]) => [label(name), text(name, value)]);
  const width = Math.max(...fields.map(([name]) => name.length));
  output.stdout(fields.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n') + '\n');
  if (auditRows === 0) return;
  output.stdout(`\nAUDIT (${audit.items.length} of ${audit.total}, newest first)\n`);
  output.stdout(audit.items.length > 0 ? await renderAuditRows(context, audit.items, false) : renderTable(['(none)'], []));
}

/** `lastUsedAt` → `LAST USED AT`. */
function label(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => ` ${letter}`).toUpperCase();
}

function text(name: string, value: unknown): string {
  if (value instanceof Date) return formatMoment(value, '');
  if (value === null || value === undefined) return name === 'expiresAt' || name === 'lastUsedAt' ? 'never' : '-';
  if (Array.isArray(value)) return value.length > 0 ? value.join(',') : '-';
  if (typeof value === 'string') return value === '' ? '-' : value;
  return JSON.stringify(value);
}
