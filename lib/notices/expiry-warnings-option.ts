import { KeysmithConfigurationError } from '../errors/keysmith-configuration.error.js';
import type { ExpiryWarningsOptions } from '../options/keysmith-options.interface.js';
import { fractionalNumber, show, type OptionCheck } from '../options/option-checks.js';

export const DEFAULT_EXPIRY_WARNING_DAYS: readonly number[] = [7, 1];
export const DEFAULT_EXPIRY_SCAN_INTERVAL_SECONDS = 3_600;
const MAX_DAYS_BEFORE = 3_650;
const SETTINGS = ['daysBefore', 'scanIntervalSeconds'];

/** `expiryWarnings` as the scan uses it. */
export interface ResolvedExpiryWarnings {
  /** Largest first, each once. */
  readonly daysBefore: readonly number[];
  readonly scanIntervalMs: number;
}

/** Absent: no warnings. An object: its settings checked, each defaulted. */
export const expiryWarningsOption: OptionCheck<ResolvedExpiryWarnings | null> = (value, option) => {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new KeysmithConfigurationError(option, `expected an object such as { daysBefore: [7, 1] }; got ${show(value)}.`);
  }
  const given = value as ExpiryWarningsOptions;
  const unknown = Object.keys(given).find((key) => !SETTINGS.includes(key));
  if (unknown !== undefined) {
    throw new KeysmithConfigurationError(`${option}.${unknown}`, `no such setting. Known settings: ${SETTINGS.join(', ')}.`);
  }
  const scanIntervalSeconds = fractionalNumber(0.1, 86_400)(
    given.scanIntervalSeconds ?? DEFAULT_EXPIRY_SCAN_INTERVAL_SECONDS,
    `${option}.scanIntervalSeconds`,
  );
  return {
    daysBefore: daysBeforeOf(given.daysBefore ?? DEFAULT_EXPIRY_WARNING_DAYS, `${option}.daysBefore`),
    scanIntervalMs: Math.round(scanIntervalSeconds * 1_000),
  };
};

function daysBeforeOf(value: unknown, option: string): readonly number[] {
  const valid =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((days) => typeof days === 'number' && Number.isFinite(days) && days > 0 && days <= MAX_DAYS_BEFORE);
  if (!valid) {
    throw new KeysmithConfigurationError(
      option,
      `expected a non-empty array of numbers of days above 0 and up to ${MAX_DAYS_BEFORE}, such as [7, 1]; got ${show(value)}.`,
    );
  }
  return Object.freeze([...new Set(value as number[])].sort((a, b) => b - a));
}
