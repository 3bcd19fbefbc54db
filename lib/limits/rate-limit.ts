import { KeysmithConfigurationError } from '../errors/keysmith-configuration.error.js';
import { KeysmithValidationError } from '../errors/keysmith-validation.error.js';
import { show, type OptionCheck } from '../options/option-checks.js';

/** A token's rate limit: at most `limit` guarded requests per window of `windowSeconds`. */
export interface RateLimit {
  /** Requests let through per window: a whole number from 1 to 1,000,000,000. */
  limit: number;
  /** The window, in whole seconds from 1 to 31,536,000 (365 days). It starts with the first request counted. */
  windowSeconds: number;
}

const MAX_LIMIT = 1_000_000_000;
const MAX_WINDOW_SECONDS = 365 * 24 * 60 * 60;

/**
 * Why `value` is not a rate limit: the field at fault (`rateLimit.limit`) and what is wrong with
 * it, or `null` when it is one. `field` is the name the value was given under.
 */
export function rateLimitProblem(value: unknown, field: string): { field: string; problem: string } | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { field, problem: `must be an object { limit, windowSeconds }, or null; got ${show(value)}` };
  }
  const unknown = Object.keys(value).filter((key) => key !== 'limit' && key !== 'windowSeconds');
  if (unknown.length > 0) return { field: `${field}.${unknown[0]}`, problem: 'is not a field of a rate limit (limit, windowSeconds)' };
  const { limit, windowSeconds } = value as Record<string, unknown>;
  if (!isWhole(limit, MAX_LIMIT)) {
    return { field: `${field}.limit`, problem: `must be a whole number from 1 to ${MAX_LIMIT}; got ${show(limit)}` };
  }
  if (!isWhole(windowSeconds, MAX_WINDOW_SECONDS)) {
    return {
      field: `${field}.windowSeconds`,
      problem: `must be a whole number of seconds from 1 to ${MAX_WINDOW_SECONDS}; got ${show(windowSeconds)}`,
    };
  }
  return null;
}

/** The rate limit to store: `{ limit, windowSeconds }` checked, or `null` for none. */
export function validRateLimit(value: unknown): RateLimit | null {
  if (value === null) return null;
  const problem = rateLimitProblem(value, 'rateLimit');
  if (problem) throw new KeysmithValidationError(`${problem.field} ${problem.problem}.`, problem.field);
  const { limit, windowSeconds } = value as RateLimit;
  return { limit, windowSeconds };
}

const isWhole = (value: unknown, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max;

/** `defaultRateLimit`: absent, none. */
export const defaultRateLimitOption: OptionCheck<RateLimit | null> = (value, option) => {
  if (value === undefined || value === null) return null;
  const problem = rateLimitProblem(value, option);
  if (problem) throw new KeysmithConfigurationError(problem.field, `${problem.problem}.`);
  const { limit, windowSeconds } = value as RateLimit;
  return Object.freeze({ limit, windowSeconds });
};
