import { Option, type Command } from 'commander';
import { AUDIT_ACTIONS, type TokenAuditAction } from '../entities/token-audit-log.entity.js';
import { DEFAULT_LIST_LIMIT } from '../listing/page.js';
import { httpStatus, nonNegativeInteger, positiveInteger } from './arguments.js';
import { renderAuditRows } from './audit-view.js';
import { CliError } from './cli-error.js';
import type { CommandContext, WithContext } from './command.js';
import { readPage, sayCount, type PageOptions } from './listing.js';
import { formatMoment } from './table.js';
import { pastMomentFrom, sinceFrom } from './time-input.js';

interface ListOptions extends PageOptions {
  token?: string;
  action?: TokenAuditAction;
  status?: number;
  since?: Date;
  until?: Date;
  json?: true;
}

interface PruneOptions {
  olderThan: Date;
}

const MOMENT_HELP = 'an ISO date (2026-01-31, UTC unless a zone is given) or a duration back (1h, 7d)';

/** The `audit` command group: list, prune. */
export function addAuditCommands(program: Command, withContext: WithContext): void {
  const audit = program.command('audit').description('Read and prune the audit log.');

  audit
    .command('list')
    .description('List audit rows, newest first: lifecycle actions and authentication attempts; stderr says how many match.')
    .option('--token <prefix|id>', 'Only the rows of this token.')
    .addOption(new Option('--action <action>', 'Only this action.').choices(AUDIT_ACTIONS))
    .option('--status <code>', 'Only request rows with this final response status (100 to 599).', httpStatus)
    .option('--since <when>', `Only rows created at or after ${MOMENT_HELP}.`, (text) => sinceFrom(text, new Date()))
    .option('--until <when>', `Only rows created before ${MOMENT_HELP}.`, (text) => sinceFrom(text, new Date()))
    .addOption(new Option('--limit <n>', `At most n rows (default ${DEFAULT_LIST_LIMIT}).`).argParser(positiveInteger).conflicts('all'))
    .addOption(new Option('--offset <n>', 'Skip the first n rows (default 0).').argParser(nonNegativeInteger).conflicts('all'))
    .option('--all', 'Every matching row, however many (narrow them with --since and --until first).')
    .option('--json', 'Print JSON instead of a table.')
    .action(withContext(list));

  audit
    .command('prune')
    .description('Delete the audit rows older than a moment, a thousand per statement, while the application runs.')
    .requiredOption('--older-than <when>', `Delete the rows created before ${MOMENT_HELP}, such as 90d.`, (text) =>
      pastMomentFrom(text, new Date()),
    )
    .action(withContext(prune));
}

async function list(context: CommandContext, options: ListOptions): Promise<void> {
  if (options.since && options.until && options.until <= options.since) {
    throw new CliError(`--until ${formatMoment(options.until, '')} is not after --since ${formatMoment(options.since, '')}.`);
  }
  const tokenId = options.token === undefined ? undefined : (await context.tokens.get(options.token)).id;
  const filter = { tokenId, action: options.action, statusCode: options.status, since: options.since, until: options.until };
  const page = await readPage(options, DEFAULT_LIST_LIMIT, (limit, offset) => context.auditLog.listPage({ ...filter, limit, offset }));
  if (options.json || page.items.length > 0) context.output.stdout(await renderAuditRows(context, page.items, options.json ?? false));
  sayCount(context.output, page, options.all ? 0 : (options.offset ?? 0), { one: 'audit row', many: 'audit rows' });
}

async function prune(context: CommandContext, options: PruneOptions): Promise<void> {
  const deleted = await context.auditLog.prune(options.olderThan);
  context.output.stderr(
    `Deleted ${deleted} audit ${deleted === 1 ? 'row' : 'rows'} created before ${formatMoment(options.olderThan, '')}.\n`,
  );
}
