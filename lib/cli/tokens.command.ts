import { Option, type Command } from 'commander';
import { TOKEN_TYPES, type Token, type TokenType } from '../entities/token.entity.js';
import { parseToken } from '../token-format/token-format.js';
import { tokenView } from '../tokens/token-view.js';
import { positiveInteger, splitList } from './arguments.js';
import type { CommandContext, WithContext } from './command.js';
import { formatMoment, renderTable } from './table.js';
import { expiryFrom } from './time-input.js';
import { TOKEN_TABLE_HEADERS, tokenTableRow } from './token-view.js';

/** Recorded as `extra.source` of the audit rows of every lifecycle action the CLI takes. */
const CLI_SOURCE = 'cli';

interface CreateOptions {
  name: string;
  user?: string;
  scopes?: string[];
  expiresIn?: Expiry;
  description?: string;
  type?: TokenType;
  actor?: string;
}

/** `--expires-in`, boxed: commander turns an option's `null` (for `never`) into `''`. */
interface Expiry {
  expiresAt: Date | null;
}

interface ListOptions {
  user?: string;
  type?: TokenType;
  active?: true;
  inactive?: true;
  revoked?: true;
  purged?: true;
  limit?: number;
  json?: true;
}

interface LifecycleOptions {
  actor?: string;
}

/** The `tokens` command group: create, list, rotate, revoke, purge. */
export function addTokenCommands(program: Command, withContext: WithContext): void {
  const tokens = program.command('tokens').description('Create, list, rotate, revoke and purge API tokens.');

  tokens
    .command('create')
    .description('Create a token and print its raw value, once, on stdout.')
    .requiredOption('--name <name>', 'Name of the token (up to 128 characters).')
    .option('--user <id>', 'Id of the user the token belongs to.')
    .option('--scopes <a,b>', 'Comma-separated scopes (default: defaultScopes).', splitList)
    .option(
      '--expires-in <duration>',
      'Lifetime such as 30d, 12h, 45m or 2w, or "never" (default: defaultExpiryDays).',
      (text): Expiry => ({ expiresAt: expiryFrom(text, new Date()) }),
    )
    .option('--description <text>', 'A longer description.')
    .addOption(new Option('--type <user|system>', 'Token type (default: user).').choices(TOKEN_TYPES))
    .addOption(actorOption())
    .action(withContext(create));

  tokens
    .command('list')
    .description('List tokens, newest first: prefix, name, user, scopes, state, expiry, last use.')
    .option('--user <id>', 'Only the tokens of this user.')
    .addOption(new Option('--type <user|system>', 'Only tokens of this type.').choices(TOKEN_TYPES))
    .addOption(new Option('--active', 'Only active tokens (not revoked, purged or expired).').conflicts('inactive'))
    .option('--inactive', 'Only revoked, purged or expired tokens.')
    .option('--revoked', 'Only revoked tokens (purged ones included).')
    .option('--purged', 'Only purged tokens.')
    .option('--limit <n>', 'At most n tokens (default 100).', positiveInteger)
    .option('--json', 'Print JSON instead of a table.')
    .action(withContext(list));

  tokens
    .command('rotate')
    .description('Replace the secret of a token (same prefix) and print the new raw token, once, on stdout.')
    .argument('<prefix|id>', 'The token, by prefix or id.')
    .addOption(actorOption())
    .action(withContext(rotate));

  tokens
    .command('revoke')
    .description('Revoke a token: every request with it fails from now on.')
    .argument('<prefix|id>', 'The token, by prefix or id.')
    .addOption(actorOption())
    .action(withContext(revoke));

  tokens
    .command('purge')
    .description('Purge a token: revoke it and mark it purged (a soft delete).')
    .argument('<prefix|id>', 'The token, by prefix or id.')
    .addOption(actorOption())
    .action(withContext(purge));
}

function actorOption(): Option {
  return new Option('--actor <id>', 'Who acts, recorded as extra.actor_id of the audit row.');
}

async function create({ tokens, output }: CommandContext, options: CreateOptions): Promise<void> {
  const { token, rawToken } = await tokens.create({
    name: options.name,
    userId: options.user,
    scopes: options.scopes,
    expiresAt: options.expiresIn?.expiresAt,
    description: options.description,
    tokenType: options.type,
    createdBy: options.actor,
    source: CLI_SOURCE,
  });
  output.stdout(`${rawToken}\n`);
  output.stderr(
    `Created token ${token.prefix} "${token.name}" (user ${token.userId ?? 'none'}, scopes ${token.scopes.join(',') || 'none'}, ` +
      `expires ${formatMoment(token.expiresAt, 'never')}). The raw token above is shown only this once: store it now.\n`,
  );
}

async function list({ tokens, output }: CommandContext, options: ListOptions): Promise<void> {
  const found = await tokens.list({
    userId: options.user,
    tokenType: options.type,
    active: options.active ? true : options.inactive ? false : undefined,
    revoked: options.revoked,
    purged: options.purged,
    limit: options.limit,
  });
  // JSON.stringify writes the dates as ISO 8601 strings.
  if (options.json) output.stdout(`${JSON.stringify(found.map(tokenView), null, 2)}\n`);
  else if (found.length === 0) output.stderr('No tokens match.\n');
  else output.stdout(renderTable(TOKEN_TABLE_HEADERS, found.map(tokenTableRow)));
}

async function rotate({ tokens, output }: CommandContext, options: LifecycleOptions, [reference]: string[]): Promise<void> {
  const rawToken = await tokens.rotate(reference, { source: CLI_SOURCE, actor: options.actor });
  output.stdout(`${rawToken}\n`);
  output.stderr(
    `Rotated token ${parseToken(rawToken).prefix}: the old raw token no longer works. ` +
      'The new raw token above is shown only this once: store it now.\n',
  );
}

async function revoke(context: CommandContext, options: LifecycleOptions, [reference]: string[]): Promise<void> {
  const token = await context.tokens.get(reference);
  if (token.revoked) return alreadyDone(context, token, 'revoked');
  await context.tokens.revoke(token, { source: CLI_SOURCE, actor: options.actor });
  context.output.stderr(`Revoked token ${token.prefix}.\n`);
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
