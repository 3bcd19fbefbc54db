import { In } from 'typeorm';
import { AUDIT_ACTIONS, type TokenAuditLog } from '../entities/token-audit-log.entity.js';
import type { ListAuditLogsInput } from '../audit/audit-log.service.js';
import { oneOf, positiveInteger } from './arguments.js';
import type { Command, CommandContext, OptionValues } from './command.js';
import { JSON_OPTION } from './option-specs.js';
import { formatMoment, renderTable } from './table.js';
import { sinceFrom } from './time-input.js';

/** Every audit action, in lifecycle order. */

const AUDIT_TABLE_HEADERS = ['TIME', 'ACTION', 'TOKEN', 'STATUS', 'REQUEST', 'IP', 'EXTRA'];

const list: Command = {
  name: 'audit list',
  summary: 'List audit rows, newest first: lifecycle actions and authentication attempts.',
  positionals: [],
  options: {
    token: { type: 'string', value: 'prefix|id', description: 'Only the rows of this token.' },
    action: { type: 'string', value: 'action', description: `Only this action: ${AUDIT_ACTIONS.join(', ')}.` },
    since: {
      type: 'string',
      value: 'when',
      description: 'Only rows since an ISO date (2026-01-31, UTC unless a zone is given) or for a duration back (1h, 7d).',
    },
    limit: { type: 'string', value: 'n', description: 'At most n rows (default 100).' },
    json: JSON_OPTION,
  },
  async run(context, values) {
    const rows = await context.auditLog.list(await listInput(context, values));
    const prefixes = await prefixesOf(context, rows);
    if (values.json) {
      const json = rows.map((row) => ({ ...row, tokenPrefix: row.tokenId === null ? null : (prefixes.get(row.tokenId) ?? null) }));
      context.output.stdout(`${JSON.stringify(json, null, 2)}\n`);
    } else if (rows.length === 0) {
      context.output.stderr('No audit rows match.\n');
    } else {
      context.output.stdout(
        renderTable(
          AUDIT_TABLE_HEADERS,
          rows.map((row) => auditTableRow(row, prefixes)),
        ),
      );
    }
  },
};

/** The `audit` command group. */
export const AUDIT_COMMANDS: readonly Command[] = [list];

async function listInput({ tokens }: CommandContext, values: OptionValues): Promise<ListAuditLogsInput> {
  const input: ListAuditLogsInput = {};
  if (typeof values.action === 'string') input.action = oneOf('--action', values.action, AUDIT_ACTIONS);
  if (typeof values.since === 'string') input.since = sinceFrom(values.since, new Date());
  if (typeof values.limit === 'string') input.limit = positiveInteger('--limit', values.limit);
  if (typeof values.token === 'string') input.tokenId = (await tokens.get(values.token)).id;
  return input;
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
