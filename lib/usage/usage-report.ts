import type { TokenUsage } from '../entities/token-usage.entity.js';
import { KeysmithValidationError } from '../errors/keysmith-validation.error.js';

export const USAGE_BUCKETS = ['minute', 'hour', 'day'] as const;
export type UsageBucketSize = (typeof USAGE_BUCKETS)[number];

const BUCKET_MS: Record<UsageBucketSize, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const DAY_MS = BUCKET_MS.day;

/** What `TokenService.usage()` reads: the minutes from that of `since` to `until` (excluded), in buckets of a UTC minute, hour or day. */
export interface UsageInput {
  /** Default: 24 hours before `until`. Taken back to the start of its minute, which it counts whole. */
  since?: Date;
  /** Default: now. */
  until?: Date;
  /** Default `'hour'`. */
  bucket?: UsageBucketSize;
}

/** Requests counted apart: `success` and each refusal's `error_code` (`revoked_token`, `rate_limited`, ...). */
export interface UsageCounts {
  successes: number;
  refusals: number;
  /** Requests by outcome, outcomes without requests left out. */
  outcomes: Record<string, number>;
}

export interface UsageBucket extends UsageCounts {
  /** The bucket's start: a UTC minute, hour or midnight. */
  start: Date;
}

/** The usage of a token: the totals of the range, and its buckets that have requests, oldest first. */
export interface TokenUsageReport extends UsageCounts {
  tokenId: string;
  since: Date;
  until: Date;
  bucket: UsageBucketSize;
  buckets: UsageBucket[];
}

/** The range and bucket of `input`, its defaults applied and `since` at the start of its minute; `KeysmithValidationError` naming the field at fault. */
export function usageRange(input: UsageInput, now = new Date()): Required<UsageInput> {
  if (typeof input !== 'object' || input === null) throw new KeysmithValidationError('The usage query must be an object.');
  const bucket = input.bucket ?? 'hour';
  if (!USAGE_BUCKETS.includes(bucket)) {
    throw new KeysmithValidationError(`bucket must be one of ${USAGE_BUCKETS.map((name) => `'${name}'`).join(', ')}.`, 'bucket');
  }
  const until = validDate(input.until ?? now, 'until');
  const since = validDate(input.since ?? new Date(until.getTime() - DAY_MS), 'since');
  if (since >= until) {
    throw new KeysmithValidationError(`since (${since.toISOString()}) must be earlier than until (${until.toISOString()}).`, 'since');
  }
  return { since: new Date(Math.floor(since.getTime() / BUCKET_MS.minute) * BUCKET_MS.minute), until, bucket };
}

/** Adds minute rows (any order) into buckets of `size`. */
export function usageReport(tokenId: string, range: Required<UsageInput>, rows: readonly TokenUsage[]): TokenUsageReport {
  const size = BUCKET_MS[range.bucket];
  const buckets = new Map<number, UsageBucket>();
  const totals = emptyCounts();
  for (const row of rows) {
    const start = Math.floor(row.minuteAt.getTime() / size) * size;
    let bucket = buckets.get(start);
    if (!bucket) buckets.set(start, (bucket = { start: new Date(start), ...emptyCounts() }));
    addTo(bucket, row);
    addTo(totals, row);
  }
  return { tokenId, ...range, ...totals, buckets: [...buckets.values()].sort((a, b) => a.start.getTime() - b.start.getTime()) };
}

function emptyCounts(): UsageCounts {
  return { successes: 0, refusals: 0, outcomes: {} };
}

function addTo(counts: UsageCounts, { outcome, count }: TokenUsage): void {
  if (outcome === 'success') counts.successes += count;
  else counts.refusals += count;
  counts.outcomes[outcome] = (counts.outcomes[outcome] ?? 0) + count;
}

function validDate(value: unknown, field: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new KeysmithValidationError(`${field} must be a valid Date.`, field);
  return value;
}
