import { TOKEN_TYPES, type Token } from '../entities/token.entity.js';
import type { CreateTokenInput, ListTokensInput } from '../tokens/token-service.interface.js';
import { parseToken } from '../token-format/token-format.js';
import { oneOf, positiveInteger, splitList } from './arguments.js';
import { CliError } from './cli-error.js';
import type { Command, CommandContext, OptionSpec, OptionValues } from './command.js';
import { JSON_OPTION } from './option-specs.js';
import { formatMoment, renderTable } from './table.js';
import { expiryFrom } from './time-input.js';
import { tokenView } from '../tokens/token-view.js';
import { TOKEN_TABLE_HEADERS, tokenTableRow } from './token-view.js';

/** Recorded as `extra.source` of the audit rows of every lifecycle action the CLI takes. */
const CLI_SOURCE = 'cli';

const ACTOR: OptionSpec = { type: 'string', value: 'id', description: 'Who acts, recorded as extra.actor_id of the audit row.' };
const TOKEN_REFERENCE = ['prefix|id'];

const create: Command = {
  name: 'tokens create',
  summary: 'Create a token and print its raw value, once, on stdout.',
  positionals: [],
  options: {
    name: { type: 'string', value: 'name', description: 'Name of the token (required, up to 128 characters).' },
    user: { type: 'string', value: 'id', description: 'Id of the user the token belongs to.' },
    scopes: { type: 'string', value: 'a,b', description: 'Comma-separated scopes (default: defaultScopes).' },
    'expires-in': {
      type: 'string',
      value: 'duration',
      description: 'Lifetime such as 30d, 12h, 45m or 2w, or "never" (default: defaultExpiryDays).',
    },
    description: { type: 'string', value: 'text', description: 'A longer description.' },
    type: { type: 'string', value: 'user|system', description: 'Token type (default: user).' },
    actor: ACTOR,
  },
  async run({ tokens, output }, values) {
    if (typeof values.name !== 'string') throw new CliError('tokens create needs --name <name>.');
    const input: CreateTokenInput = { name: values.name, source: CLI_SOURCE };
    if (typeof values.user === 'string') input.userId = values.user;
    if (typeof values.scopes === 'string') input.scopes = splitList(values.scopes);
    if (typeof values['expires-in'] === 'string') input.expiresAt = expiryFrom(values['expires-in'], new Date());
    if (typeof values.description === 'string') input.description = values.description;
    if (typeof values.type === 'string') input.tokenType = oneOf('--type', values.type, TOKEN_TYPES);
    if (typeof values.actor === 'string') input.createdBy = values.actor;

    const { token, rawToken } = await tokens.create(input);
    output.stdout(`${rawToken}\n`);
    output.stderr(
      `Created token ${token.prefix} "${token.name}" (user ${token.userId ?? 'none'}, scopes ${token.scopes.join(',') || 'none'}, ` +
        `expires ${formatMoment(token.expiresAt, 'never')}). The raw token above is shown only this once: store it now.\n`,
    );
  },
};

const list: Command = {
  name: 'tokens list',
  summary: 'List tokens, newest first: prefix, name, user, scopes, state, expiry, last use.',
  positionals: [],
  options: {
    user: { type: 'string', value: 'id', description: 'Only the tokens of this user.' },
    type: { type: 'string', value: 'user|system', description: 'Only tokens of this type.' },
    active: { type: 'boolean', description: 'Only active tokens (not revoked, purged or expired).' },
    inactive: { type: 'boolean', description: 'Only revoked, purged or expired tokens.' },
    revoked: { type: 'boolean', description: 'Only revoked tokens (purged ones included).' },
    purged: { type: 'boolean', description: 'Only purged tokens.' },
    limit: { type: 'string', value: 'n', description: 'At most n tokens (default 100).' },
    json: JSON_OPTION,
  },
  async run({ tokens, output }, values) {
    const found = await tokens.list(listInput(values));
    // JSON.stringify writes the dates as ISO 8601 strings.
    if (values.json) output.stdout(`${JSON.stringify(found.map(tokenView), null, 2)}\n`);
    else if (found.length === 0) output.stderr('No tokens match.\n');
    else output.stdout(renderTable(TOKEN_TABLE_HEADERS, found.map(tokenTableRow)));
  },
};

const rotate: Command = {
  name: 'tokens rotate',
  summary: 'Replace the secret of a token (same prefix) and print the new raw token, once, on stdout.',
  positionals: TOKEN_REFERENCE,
  options: { actor: ACTOR },
  async run({ tokens, output }, values, [reference]) {
    const rawToken = await tokens.rotate(reference, { source: CLI_SOURCE, actor: actorOf(values) });
    output.stdout(`${rawToken}\n`);
    output.stderr(
      `Rotated token ${parseToken(rawToken).prefix}: the old raw token no longer works. ` +
        'The new raw token above is shown only this once: store it now.\n',
    );
  },
};

const revoke: Command = {
  name: 'tokens revoke',
  summary: 'Revoke a token: every request with it fails from now on.',
  positionals: TOKEN_REFERENCE,
  options: { actor: ACTOR },
  async run(context, values, [reference]) {
    const token = await context.tokens.get(reference);
    if (token.revoked) return alreadyDone(context, token, 'revoked');
    await context.tokens.revoke(token, { source: CLI_SOURCE, actor: actorOf(values) });
    context.output.stderr(`Revoked token ${token.prefix}.\n`);
  },
};

const purge: Command = {
  name: 'tokens purge',
  summary: 'Purge a token: revoke it and mark it purged (a soft delete).',
  positionals: TOKEN_REFERENCE,
  options: { actor: ACTOR },
  async run(context, values, [reference]) {
    const token = await context.tokens.get(reference);
    if (token.purged) return alreadyDone(context, token, 'purged');
    await context.tokens.purge(token, { source: CLI_SOURCE, actor: actorOf(values) });
    context.output.stderr(`Purged token ${token.prefix}: it is revoked and marked purged.\n`);
  },
};

/** The `tokens` command group. */
export const TOKEN_COMMANDS: readonly Command[] = [create, list, rotate, revoke, purge];

function listInput(values: OptionValues): ListTokensInput {
  if (values.active && values.inactive) throw new CliError('--active and --inactive exclude each other; give one.');
  const input: ListTokensInput = {};
  if (typeof values.user === 'string') input.userId = values.user;
  if (typeof values.type === 'string') input.tokenType = oneOf('--type', values.type, TOKEN_TYPES);
  if (values.active) input.active = true;
  if (values.inactive) input.active = false;
  if (values.revoked) input.revoked = true;
  if (values.purged) input.purged = true;
  if (typeof values.limit === 'string') input.limit = positiveInteger('--limit', values.limit);
  return input;
}

function actorOf(values: OptionValues): string | undefined {
  return typeof values.actor === 'string' ? values.actor : undefined;
}

function alreadyDone({ output }: CommandContext, token: Token, state: 'revoked' | 'purged'): void {
  output.stderr(`Token ${token.prefix} was already ${state}; nothing changed.\n`);
}
