import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Token } from '../entities/token.entity.js';
import type { QuotaRefill } from '../limits/quota.js';
import type { RateLimit } from '../limits/rate-limit.js';
import type { TokenMetadata } from '../tokens/metadata.js';
import { UPDATABLE_FIELDS } from '../tokens/token-service.interface.js';
import { splitList } from './arguments.js';
import type { CommandContext, WithContext } from './command.js';
import { formatMoment } from './table.js';
import { expiryFrom } from './time-input.js';

/** Recorded as `extra.source` of the audit rows of every lifecycle action the CLI takes. */
const CLI_SOURCE = 'cli';

const SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 } as const;

/** `--metadata`, `--allow-ip` and `--rate-limit`, as `tokens create` and `tokens update` take them. */
export interface PolicyOptions {
  metadata?: Metadata;
  allowIp?: string[];
  /** `false` from `--no-rate-limit` of `tokens update`. */
  rateLimit?: RateLimit | false;
  /** `false` from `--no-quota` of `tokens update`. */
  quota?: number | false;
  quotaRefill?: QuotaRefill;
}

/** The quota `--quota` and `--quota-refill` set: `undefined` when neither is given, `null` for `--no-quota`. */
export function quotaFrom({ quota, quotaRefill }: PolicyOptions): { remaining: number; refill: QuotaRefill | null } | null | undefined {
  if (quota === false) return null;
  if (quota === undefined) return quotaRefill === undefined ? undefined : { remaining: quotaRefill.amount, refill: quotaRefill };
  return { remaining: quota, refill: quotaRefill ?? null };
}

/** `--metadata`, boxed: commander turns an option's `null` (to remove it) into `''`. */
interface Metadata {
  value: TokenMetadata | null;
}

interface UpdateOptions extends PolicyOptions {
  name?: string;
  description?: string;
  scopes?: string[];
  expiresIn?: { expiresAt: Date | null };
  anyIp?: true;
  actor?: string;
}

interface SwitchOptions {
  actor?: string;
}

/** `--metadata <json>`: a JSON object of the operator's own, or `null` to remove it. */
export function metadataOption(): Option {
  return new Option('--metadata <json>', 'A JSON object of your own, such as \'{"team":"billing"}\' (null removes it).').argParser(
    metadataFrom,
  );
}

/** `--allow-ip <address|cidr>`: repeatable and comma-separated. */
export function allowIpOption(): Option {
  return new Option(
    '--allow-ip <address|cidr>',
    'Accept the token only from this IPv4 or IPv6 address or CIDR range; repeat it, or separate with commas, for several.',
  ).argParser((text: string, previous: string[] = []) => [...previous, ...splitList(text)]);
}

/** `--rate-limit <limit/window>`: `100/60s`, `1000/1h`; the service checks the numbers. */
export function rateLimitOption(): Option {
  return new Option(
    '--rate-limit <limit/window>',
    'At most this many requests per window, such as 100/60s, 1000/1h or 10000/1d (a window without a unit is in seconds).',
  ).argParser(rateLimitFrom);
}

/** `--quota <calls>`; the service checks the number. */
export function quotaOption(): Option {
  return new Option('--quota <calls>', 'Calls the token may make (every guarded request takes 1, or its @KeysmithCost).').argParser(Number);
}

/** `--quota-refill <amount/interval>`, read as `--rate-limit` is. */
export function quotaRefillOption(): Option {
  return new Option(
    '--quota-refill <amount/interval>',
    'Give the quota back every interval, such as 1000/1d (the remaining calls become 1000 each day; without --quota, it starts full).',
  ).argParser((text: string) => {
    const { limit, windowSeconds } = rateLimitFrom(text);
    return { amount: limit, intervalSeconds: windowSeconds };
  });
}

/** `--grace <duration>` of `tokens rotate`, in whole seconds. */
export function graceOption(): Option {
  return new Option(
    '--grace <duration>',
    'Keep the old raw token working this long, such as 90s, 30m, 1h or 7d (until the expiry at the latest; default: it stops at once).',
  ).argParser(graceSecondsFrom);
}

/** What `tokens rotate` says of the old raw token, from the rotated token. */
export function oldSecretFate(token: Token): string {
  return token.previousSecretExpiresAt
    ? `the old raw token keeps working until ${formatMoment(token.previousSecretExpiresAt, 'never')}.`
    : 'the old raw token no longer works.';
}

/** `tokens update`, `tokens disable` and `tokens enable`, added to the `tokens` group. */
export function addKeyPolicyCommands(tokens: Command, withContext: WithContext): void {
  tokens
    .command('update')
    .description('Change the given fields of a token; the others stay as they are.')
    .argument('<prefix|id>', 'The token, by prefix or id.')
    .option('--name <name>', 'A new name (up to 128 characters).')
    .option('--description <text>', 'A new description.')
    .option('--scopes <a,b>', 'Comma-separated scopes, replacing the current ones.', splitList)
    .option('--expires-in <duration>', 'A new lifetime from now, such as 30d, 12h, 45m or 2w, or "never".', (text) => ({
      expiresAt: expiryFrom(text, new Date()),
    }))
    .addOption(metadataOption())
    .addOption(allowIpOption())
    .addOption(new Option('--any-ip', 'Accept the token from any address (removes the allowlist).').conflicts('allowIp'))
    .addOption(rateLimitOption())
    .addOption(new Option('--no-rate-limit', "Remove the token's own rate limit (defaultRateLimit applies again)."))
    .addOption(quotaOption())
    .addOption(quotaRefillOption())
    .addOption(new Option('--no-quota', "Remove the token's quota (unlimited calls)."))
    .addOption(actorOption())
    .action(withContext(update));

  tokens
    .command('disable')
    .description('Disable a token: every request with it is refused until it is enabled again.')
    .argument('<prefix|id>', 'The token, by prefix or id.')
    .addOption(actorOption())
    .action(withContext(switchTo(true)));

  tokens
    .command('enable')
    .description('Enable a disabled token again.')
    .argument('<prefix|id>', 'The token, by prefix or id.')
    .addOption(actorOption())
    .action(withContext(switchTo(false)));
}

function actorOption(): Option {
  return new Option('--actor <id>', 'Who acts, recorded as extra.actor_id of the audit row.');
}

async function update({ tokens, output }: CommandContext, options: UpdateOptions, [reference]: string[]): Promise<void> {
  const before = await tokens.get(reference);
  const quota = quotaFrom(options);
  const token = await tokens.update(before, {
    name: options.name,
    description: options.description,
    scopes: options.scopes,
    expiresAt: options.expiresIn?.expiresAt,
    metadata: options.metadata?.value,
    allowedIps: options.anyIp ? null : options.allowIp,
    rateLimit: options.rateLimit === false ? null : options.rateLimit,
    quota,
    source: CLI_SOURCE,
    actor: options.actor,
  });
  // A quota given is set afresh, its refill periods starting again, even at the same figures.
  const changed = [
    ...UPDATABLE_FIELDS.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(token[field])),
    ...(quota === undefined ? [] : ['quota']),
  ];
  output.stderr(
    changed.length === 0
      ? `Token ${token.prefix} already had these values; nothing changed.\n`
      : `Updated token ${token.prefix}: ${changed.join(', ')}.\n`,
  );
}

function switchTo(disabled: boolean) {
  return async ({ tokens, output }: CommandContext, options: SwitchOptions, [reference]: string[]): Promise<void> => {
    const token = await tokens.get(reference);
    const done = disabled ? 'disabled' : 'enabled';
    // A revoked or purged token goes on to the service, which refuses it with the reason.
    if (token.disabled === disabled && !token.revoked && !token.purged) {
      output.stderr(`Token ${token.prefix} was already ${done}; nothing changed.\n`);
      return;
    }
    await (disabled
      ? tokens.disable(token, { source: CLI_SOURCE, actor: options.actor })
      : tokens.enable(token, { source: CLI_SOURCE, actor: options.actor }));
    output.stderr(disabled ? `Disabled token ${token.prefix}: it is refused until enabled again.\n` : `Enabled token ${token.prefix}.\n`);
  };
}

function metadataFrom(text: string): Metadata {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`Expected a JSON object such as '{"team":"billing"}' or null: ${(error as Error).message}.`);
  }
  if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    throw new InvalidArgumentError(
      `Expected a JSON object such as '{"team":"billing"}' or null, not ${Array.isArray(value) ? 'an array' : typeof value}.`,
    );
  }
  return { value };
}

function rateLimitFrom(text: string): RateLimit {
  const match = /^([^/]+)\/(\d+)([smhdw]?)$/.exec(text);
  if (!match) throw new InvalidArgumentError('Expected <number>/<duration> such as 100/60s, 1000/1h or 10000/1d.');
  const windowSeconds = Number(match[2]) * (match[3] ? SECONDS[match[3] as keyof typeof SECONDS] : 1);
  return { limit: Number(match[1]), windowSeconds };
}

function graceSecondsFrom(text: string): number {
  if (text === '0') return 0;
  const match = /^(\d+)([smhdw])$/.exec(text);
  if (!match) throw new InvalidArgumentError('Expected a duration such as 90s, 30m, 1h or 7d, or 0.');
  return Number(match[1]) * SECONDS[match[2] as keyof typeof SECONDS];
}
