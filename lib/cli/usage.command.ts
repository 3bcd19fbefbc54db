import { Option, type Command } from 'commander';
import { USAGE_BUCKETS, type UsageBucketSize, type UsageCounts } from '../usage/usage-report.js';
import type { CommandContext, WithContext } from './command.js';
import { formatMoment, renderTable } from './table.js';
import { sinceFrom } from './time-input.js';

interface UsageOptions {
  since?: Date;
  until?: Date;
  bucket?: UsageBucketSize;
  json?: true;
}

const MOMENT_HELP = 'an ISO date (2026-01-31, UTC unless a zone is given) or a duration back (1h, 7d)';

/** `tokens usage <prefix|id>`. */
export function addUsageCommand(tokens: Command, withContext: WithContext): void {
  tokens
    .command('usage')
    .description("Show a token's requests per minute, hour or day (UTC), successes and refusals apart, by outcome.")
    .argument('<prefix|id>', 'The token, by prefix or id.')
    .option('--since <when>', `From ${MOMENT_HELP} (default: 24 hours before --until).`, (text) => sinceFrom(text, new Date()))
    .option('--until <when>', `Until ${MOMENT_HELP}, excluded (default: now).`, (text) => sinceFrom(text, new Date()))
    .addOption(new Option('--bucket <size>', 'Buckets of a minute, an hour or a day (default: hour).').choices(USAGE_BUCKETS))
    .option('--json', 'Print JSON instead of a table.')
    .action(withContext(usage));
}

async function usage(context: CommandContext, options: UsageOptions, [reference]: string[]): Promise<void> {
  const report = await context.tokens.usage(reference, { since: options.since, until: options.until, bucket: options.bucket });
  if (options.json) {
    context.output.stdout(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const row = (start: string, counts: UsageCounts) => [start, String(counts.successes), String(counts.refusals), refusalsOf(counts)];
  context.output.stdout(
    renderTable(
      ['START', 'SUCCESSES', 'REFUSALS', 'BY REFUSAL'],
      [...report.buckets.map((bucket) => row(formatMoment(bucket.start, ''), bucket)), row('TOTAL', report)],
    ),
  );
  context.output.stderr(
    `Requests of token ${report.tokenId} from ${formatMoment(report.since, '')} to ${formatMoment(report.until, '')}, by ${report.bucket}.\n`,
  );
}

/** `insufficient_scope=2 revoked_token=4`, or `-`. */
function refusalsOf({ outcomes }: UsageCounts): string {
  const refusals = Object.entries(outcomes).filter(([outcome]) => outcome !== 'success');
  return refusals.length === 0 ? '-' : refusals.map(([outcome, count]) => `${outcome}=${count}`).join(' ');
}
