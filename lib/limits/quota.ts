import type { Token } from '../entities/token.entity.js';
import { KeysmithValidationError } from '../errors/keysmith-validation.error.js';
import { show } from '../options/option-checks.js';

/** A quota's refill: every `intervalSeconds`, the remaining calls become `amount` again. */
export interface QuotaRefill {
  amount: number;
  intervalSeconds: number;
}

/** A token's quota: calls it has left, and how they come back, if they do. */
export interface Quota {
  remaining: number;
  refill?: QuotaRefill | null;
}

// The largest value of the integer column that stores `remaining`.
const MAX_CALLS = 2_147_483_647;
const MAX_INTERVAL_SECONDS = 366 * 24 * 60 * 60;

/** The quota to store, checked: `KeysmithValidationError` naming the field (`quota.refill.amount`) else. */
export function validQuota(value: unknown): Quota | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value))
    refuse('quota', `must be an object { remaining, refill? }, or null; got ${show(value)}`);
  const { remaining, refill } = value as Record<string, unknown>;
  if (!isWhole(remaining, 0, MAX_CALLS)) refuse('quota.remaining', `must be a whole number from 0 to ${MAX_CALLS}; got ${show(remaining)}`);
  if (refill === undefined || refill === null) return { remaining: remaining, refill: null };
  if (typeof refill !== 'object' || Array.isArray(refill))
    refuse('quota.refill', `must be an object { amount, intervalSeconds }; got ${show(refill)}`);
  const { amount, intervalSeconds } = refill as Record<string, unknown>;
  if (!isWhole(amount, 1, MAX_CALLS)) refuse('quota.refill.amount', `must be a whole number from 1 to ${MAX_CALLS}; got ${show(amount)}`);
  if (!isWhole(intervalSeconds, 1, MAX_INTERVAL_SECONDS)) {
    refuse(
      'quota.refill.intervalSeconds',
      `must be a whole number of seconds from 1 to ${MAX_INTERVAL_SECONDS}; got ${show(intervalSeconds)}`,
    );
  }
  return { remaining: remaining, refill: { amount: amount, intervalSeconds: intervalSeconds } };
}

/** The `keysmith_token` columns of a quota set at `now`: its refill periods start then. */
export function quotaColumns(quota: Quota | null, now: Date): Pick<Token, 'quotaRemaining' | 'quotaRefill' | 'quotaRefilledAt'> {
  return quota
    ? { quotaRemaining: quota.remaining, quotaRefill: quota.refill ?? null, quotaRefilledAt: now }
    : { quotaRemaining: null, quotaRefill: null, quotaRefilledAt: null };
}

function refuse(field: string, problem: string): never {
  throw new KeysmithValidationError(`${field} ${problem}.`, field);
}

const isWhole = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
