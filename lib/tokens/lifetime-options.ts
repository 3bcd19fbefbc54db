import { KeysmithConfigurationError } from '../errors/keysmith-configuration.error.js';
import { show, type OptionCheck } from '../options/option-checks.js';

/** A hundred years: any longer limit is no limit. */
const MAX_LIFETIME_DAYS = 36_500;

/** A limit in days: a number above 0, fractions allowed. */
const lifetimeDays: OptionCheck<number> = (value, option) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_LIFETIME_DAYS) {
    throw new KeysmithConfigurationError(option, `expected a number of days above 0 and up to ${MAX_LIFETIME_DAYS}; got ${show(value)}.`);
  }
  return value;
};

/** `maxExpiryDays`: absent, no limit. */
export const maxExpiryDaysOption: OptionCheck<number | null> = (value, option) =>
  value === undefined || value === null ? null : lifetimeDays(value, option);

/** `maxExpiryDaysByScope`: `{ scope: days }`, each limit checked. */
export const maxExpiryDaysByScopeOption: OptionCheck<Readonly<Record<string, number>>> = (value, option) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KeysmithConfigurationError(
      option,
      `expected an object of scope: days, such as { 'keysmith:admin': 30 }; got ${show(value)}.`,
    );
  }
  const limits: Record<string, number> = {};
  for (const [scope, days] of Object.entries(value)) {
    if (scope.length === 0) throw new KeysmithConfigurationError(option, 'a scope name is empty.');
    limits[scope] = lifetimeDays(days, `${option}['${scope}']`);
  }
  return Object.freeze(limits);
};
