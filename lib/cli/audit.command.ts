import { Option, type Command } from 'commander';
import { In } from 'typeorm';
import { AUDIT_ACTIONS, type TokenAuditAction, type TokenAuditLog } from '../entities/token-audit-log.entity.js';
import { positiveInteger } from './arguments.js';
import type { CommandContext, WithContext } from './command.js';
import { formatMoment, renderTable } from './table.js';
import { sinceFrom } from './time-input.js';

const AUDIT_TABLE_HEADERS = ['TIME', 'ACTION', 'TOKEN', 'STATUS', 'REQUEST', 'IP', 'EXTRA'];

interface ListOptions {
  token?: string;
  action?: TokenAuditAction;
  since?: Date;
  limit?: number;
  json?: true;
}

/** The `audit` command group: list. */
export function addAuditCommands(program: Command, withContext: WithContext): void {
  const audit = program.command('audit').description('Read the audit log.');

  audit
    .command('list')
    .description('List audit rows, newest first: lifecycle actions and authentication attempts.')
    .option('--token <prefix|id>', 'Only the rows of this token.')
    .addOption(new Option('--action <action>', 'Only this action.').choices(AUDIT_ACTIONS))
    .option(
      '--since <when>',
      'Only rows since an ISO date (2026-01-31, UTC unless a zone is given) or for a duration back (1h, 7d).',
      (text) => sinceFrom(text, new Date()),
    )
    .option('--limit <n>', 'At most n rows (default 100).', positiveInteger)
    .option('--json', 'Print JSON instead of a table.')
    .action(withContext(list));
}

async function list(context: CommandContext, options: ListOptions): Promise<void> {
  const tokenId = options.token === undefined ? undefined : (await context.tokens.get(options.token)).id;
  const rows = await context.auditLog.list({ tokenId, action: options.action, since: options.since, limit: options.limit });
  const prefixes = await prefixesOf(context, rows);
  if (options.json) {
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
