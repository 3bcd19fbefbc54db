import { Option, type Command } from 'commander';
import { TOKEN_TYPES, type Token, type TokenType } from '../entities/token.entity.js';
import { DEFAULT_LIST_LIMIT } from '../listing/page.js';
import { parseToken } from '../token-format/token-format.js';
import { TOKEN_STATES, type TokenState } from '../tokens/token-service.interface.js';
import { tokenView } from '../tokens/token-view.js';
import { nonNegativeInteger, positiveInteger, splitList } from './arguments.js';
import { addUsageCommand } from './usage.command.js';
import { CliError } from './cli-error.js';
import type { CommandContext, WithContext } from './command.js';
import {
  addKeyPolicyCommands,
  rateLimitOption,
  quotaFrom,
  quotaOption,
  quotaRefillOption,
  allowIpOption,
  graceOption,
  metadataOption,
  oldSecretFate,
  type PolicyOptions,
} from './key-policy.command.js';
import { readPage, sayCount, type PageOptions } from './listing.js';
import { formatMoment, renderTable } from './table.js';
import { dateFrom, expiryFrom } from './time-input.js';
import { showToken } from './token-details.js';
import { SELECTING_OPTIONS, addTokenFilterOptions, selectsTokens, tokenFilterOf, type TokenFilterOptions } from './token-filter-options.js';
import { TOKEN_TABLE_HEADERS, tokenTableRow } from './token-view.js';

/** Recorded as `extra.source` of the audit rows of every lifecycle action the CLI takes. */
const CLI_SOURCE = 'cli';

/** The states of tokens a revoke can still change. */
const LIVE_STATES = TOKEN_STATES.filter((state) => state !== 'revoked' && state !== 'purged');

/** The audit rows `tokens show` prints when `--audit` does not say. */
const SHOWN_AUDIT_ROWS = 10;

interface CreateOptions extends PolicyOptions {
  name: string;
  user?: string;
  scopes?: string[];
  expiresIn?: Expiry;
  expiresAt?: Date;
  description?: string;
  type?: TokenType;
  actor?: string;
  json?: true;
}

/** `--expires-in`, boxed: commander turns an option's `null` (for `never`) into `''`. */
interface Expiry {
  expiresAt: Date | null;
}

interface ListOptions extends TokenFilterOptions, PageOptions {
  search?: string;
  active?: true;
  inactive?: true;
  revoked?: true;
  purged?: true;
  json?: true;
}

interface ShowOptions {
  audit?: number;
  json?: true;
}

interface LifecycleOptions {
  actor?: string;
}

interface RotateOptions extends LifecycleOptions {
  grace?: number;
}

interface RevokeOptions extends TokenFilterOptions, LifecycleOptions {
  all?: true;
  yes?: true;
}

/** The `tokens` command group: create, list, show, rotate, revoke, purge. */
export function addTokenCommands(program: Command, withContext: WithContext): void {
  const tokens = program.command('tokens').description('Create, list, show, rotate, revoke and purge API tokens.');

  tokens
    .command('create')
    .description('Create a token and print its raw value, once, on stdout.')
    .requiredOption('--name <name>', 'Name of the token (up to 128 characters).')
    .option('--user <id>', 'Id of the user the token belongs to.')
    .option('--scopes <a,b>', 'Comma-separated scopes (default: defaultScopes).', splitList)
    .addOption(
      new Option('--expires-in <duration>', 'Lifetime such as 30d, 12h, 45m or 2w, or "never" (default: defaultExpiryDays).')
        .argParser((text): Expiry => ({ expiresAt: expiryFrom(text, new Date()) }))
        .conflicts('expiresAt'),
    )
    .option('--expires-at <date>', 'Expiry as an ISO date or date-time (2026-12-31, UTC unless a zone is given).', dateFrom)
    .option('--description <text>', 'A longer description.')
    .addOption(new Option('--type <user|system>', 'Token type (default: user).').choices(TOKEN_TYPES))
    .addOption(metadataOption())
    .addOption(allowIpOption())
    .addOption(rateLimitOption())
    .addOption(quotaOption())
    .addOption(quotaRefillOption())
    .addOption(actorOption())
    .option('--json', 'Print the token (id, prefix, expiry, ...) and its raw value as one JSON object.')
    .action(withContext(create));

  const list = tokens
    .command('list')
    .description('List tokens, newest first: prefix, name, user, scopes, state, expiry, last use; stderr says how many match.');
  addTokenFilterOptions(list, 'Only', TOKEN_STATES)
    .option('--search <text>', 'Only tokens whose name (any case) or prefix contains this text.')
    .addOption(new Option('--active', 'Only active tokens: the same as --state active.').conflicts(['inactive', 'state']))
    .addOption(new Option('--inactive', 'Only tokens that are not active (revoked, purged, disabled or expired).').conflicts('state'))
    .addOption(new Option('--revoked', 'Deprecated: write --state revoked.').conflicts(['state', 'active', 'inactive', 'purged']))
    .addOption(new Option('--purged', 'Deprecated: write --state purged.').conflicts(['state', 'active', 'inactive']))
    .addOption(new Option('--limit <n>', `At most n tokens (default ${DEFAULT_LIST_LIMIT}).`).argParser(positiveInteger).conflicts('all'))
    .addOption(new Option('--offset <n>', 'Skip the first n tokens (default 0).').argParser(nonNegativeInteger).conflicts('all'))
    .option('--all', 'Every matching token, however many.')
    .option('--json', 'Print JSON instead of a table.')
    .action(withContext(listTokens));

  tokens
    .command('show')
    .description('Show one token in full: every field but its hash, its state, its last use and its latest audit rows.')
    .argument('<prefix|id>', 'The token, by prefix or id.')
    .option('--audit <n>', `The latest n audit rows of the token (default ${SHOWN_AUDIT_ROWS}; 0 for none).`, nonNegativeInteger)
    .option('--json', 'Print one JSON object: the token, with its audit rows as auditRows.')
    .action(withContext(show));

  tokens
    .command('rotate')
    .description('Replace the secret of a token (same prefix) and print the new raw token, once, on stdout.')
    .argument('<prefix|id>', 'The token, by prefix or id.')
    .addOption(graceOption())
    .addOption(actorOption())
    .action(withContext(rotate));

  const revokeCommand = tokens
    .command('revoke')
    .description('Revoke a token, or every live token the filters match (offboarding, an incident): requests with them fail from now on.')
    .argument('[prefix|id]', 'The token, by prefix or id; left out, the filters choose the tokens.');
  addTokenFilterOptions(revokeCommand, 'Revoke', LIVE_STATES)
    .option('--all', 'Revoke every live token the filters match; asks for confirmation.')
    .option('--yes', 'Revoke without asking for confirmation.')
    .addOption(actorOption())
    .action(withContext(revoke));

  tokens
    .command('purge')
    .description('Purge a token: revoke it and mark it purged (a soft delete).')
    .argument('<prefix|id>', 'The token, by prefix or id.')
    .addOption(actorOption())
    .action(withContext(purge));

  addKeyPolicyCommands(tokens, withContext);
  addUsageCommand(tokens, withContext);
}

function actorOption(): Option {
  return new Option('--actor <id>', 'Who acts, recorded as extra.actor_id of the audit row.');
}

async function create({ tokens, output }: CommandContext, options: CreateOptions): Promise<void> {
  const { token, rawToken } = await tokens.create({
    name: options.name,
    userId: options.user,
    scopes: options.scopes,
    expiresAt: options.expiresAt ?? options.expiresIn?.expiresAt,
    description: options.description,
    tokenType: options.type,
    metadata: options.metadata?.value,
    allowedIps: options.allowIp,
    rateLimit: options.rateLimit || undefined,
    quota: quotaFrom(options) ?? undefined,
    createdBy: options.actor,
    source: CLI_SOURCE,
  });
  output.stdout(options.json ? `${JSON.stringify({ ...tokenView(token), rawToken }, null, 2)}\n` : `${rawToken}\n`);
  output.stderr(
    `Created token ${token.prefix} "${token.name}" (user ${token.userId ?? 'none'}, scopes ${token.scopes.join(',') || 'none'}, ` +
      `expires ${formatMoment(token.expiresAt, 'never')}). The raw token above is shown only this once: store it now.\n`,
  );
}

async function listTokens({ tokens, output }: CommandContext, options: ListOptions): Promise<void> {
  for (const state of ['revoked', 'purged'] as const) {
    if (options[state]) output.stderr(`Note: --${state} is deprecated; write --state ${state}, which it now means.\n`);
  }
  const state: TokenState | undefined =
    options.state ?? (options.active ? 'active' : options.revoked ? 'revoked' : options.purged ? 'purged' : undefined);
  const filter = { ...tokenFilterOf(options), state, search: options.search, active: options.inactive ? false : undefined };
  const page = await readPage(options, DEFAULT_LIST_LIMIT, (limit, offset) => tokens.listPage({ ...filter, limit, offset }));
  // JSON.stringify writes the dates as ISO 8601 strings.
  if (options.json) output.stdout(`${JSON.stringify(page.items.map(tokenView), null, 2)}\n`);
  else if (page.items.length > 0) output.stdout(renderTable(TOKEN_TABLE_HEADERS, page.items.map(tokenTableRow)));
  sayCount(output, page, options.all ? 0 : (options.offset ?? 0), { one: 'token', many: 'tokens' });
}

async function show(context: CommandContext, options: ShowOptions, [reference]: string[]): Promise<void> {
  await showToken(context, await context.tokens.get(reference), options.audit ?? SHOWN_AUDIT_ROWS, options.json ?? false);
}

async function rotate({ tokens, output }: CommandContext, options: RotateOptions, [reference]: string[]): Promise<void> {
  const rawToken = await tokens.rotate(reference, { source: CLI_SOURCE, actor: options.actor, graceSeconds: options.grace });
  output.stdout(`${rawToken}\n`);
  output.stderr(
    `Rotated token ${parseToken(rawToken).prefix}: ${oldSecretFate(await tokens.get(reference))} ` +
      'The new raw token above is shown only this once: store it now.\n',
  );
}

async function revoke(context: CommandContext, options: RevokeOptions, [reference]: string[]): Promise<void> {
  const filtered = selectsTokens(options) || options.state !== undefined || options.all === true;
  if (reference !== undefined && filtered) throw new CliError('give the token to revoke, or filters with --all, not both.');
  if (reference === undefined && !selectsTokens(options)) {
    throw new CliError(
      filtered
        ? `revoking many tokens needs a filter that says whose: ${SELECTING_OPTIONS.join(', ')}.`
        : 'give the token to revoke (prefix or id), or --all with a filter such as --user <id>.',
    );
  }
  if (reference === undefined) return revokeMatching(context, options);
  const token = await context.tokens.get(reference);
  if (token.revoked) return alreadyDone(context, token, 'revoked');
  await context.tokens.revoke(token, { source: CLI_SOURCE, actor: options.actor });
  context.output.stderr(`Revoked token ${token.prefix}.\n`);
}

/** Revokes every live token the filters match, once the operator confirms the count (or gave `--yes`). */
async function revokeMatching({ tokens, output, confirm }: CommandContext, options: RevokeOptions): Promise<void> {
  const filter = tokenFilterOf(options);
  const { total } = await tokens.listPage({ ...filter, revoked: false, purged: false, limit: 1 });
  if (total === 0) {
    output.stderr('No live token matches; nothing revoked.\n');
    return;
  }
  const question = `Revoke ${total} live ${total === 1 ? 'token' : 'tokens'} (${describeFilter(options)})?`;
  if (!options.yes && !(await confirm(question))) throw new CliError('not confirmed; nothing revoked.');
  const revoked = await tokens.revokeMany(filter, { source: CLI_SOURCE, actor: options.actor });
  output.stderr(`Revoked ${revoked} ${revoked === 1 ? 'token' : 'tokens'}.\n`);
}

/** `user 42, unused since 2026-09-01T00:00:00Z`. */
function describeFilter(options: TokenFilterOptions): string {
  return [
    options.user !== undefined && `user ${options.user}`,
    options.type !== undefined && `type ${options.type}`,
    options.scope !== undefined && `scope ${options.scope}`,
    options.createdBefore !== undefined && `created before ${formatMoment(options.createdBefore, '')}`,
    options.unusedSince !== undefined && `unused since ${formatMoment(options.unusedSince, '')}`,
    options.state !== undefined && `state ${options.state}`,
  ]
    .filter(Boolean)
    .join(', ');
}

async function purge(context: CommandContext, options: LifecycleOptions, [reference]: string[]): Promise<void> {
  const token = await context.tokens.get(reference);
  if (token.purged) return alreadyDone(context, token, 'purged');
  await context.tokens.purge(token, { source: CLI_SOURCE, actor: options.actor });
  context.output.stderr(`Purged token ${token.prefix}: it is revoked and marked purged.\n`);
}

function alreadyDone({ output }: CommandContext, token: Token, state: 'revoked' | 'purged'): void {
  output.stderr(`Token ${token.prefix} was already ${state}; nothing changed.\n`);
}
