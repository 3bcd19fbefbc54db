import { InvalidArgumentError } from 'commander';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION_PATTERN = /^(\d+)([mhdw])$/;
const ISO_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** `30m`, `12h`, `7d`, `2w` in milliseconds, or `null` when the text is not such a duration. */
function parseDuration(text: string): number | null {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return null;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** An ISO 8601 date or date-time (UTC unless it names a zone), or `null` when the text is not a real one. */
function parseIsoDate(text: string): Date | null {
  const match = ISO_PATTERN.exec(text);
  if (!match) return null;
  const [, year, month, day, hour = '0', minute = '0', second = '0', zone] = match;
  const calendarDay = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const isRealDay = calendarDay.getUTCMonth() === Number(month) - 1 && calendarDay.getUTCDate() === Number(day);
  if (!isRealDay || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  const withZone = match[4] === undefined ? `${text}T00:00:00Z` : zone ? text : `${text}Z`;
  return new Date(withZone.replace(' ', 'T'));
}

/** `--expires-in`: a duration from `now`, or `never` (`null`). */
export function expiryFrom(text: string, now: Date): Date | null {
  if (text === 'never') return null;
  const duration = parseDuration(text);
  if (duration === null || duration === 0) {
    throw new InvalidArgumentError('Expected a duration such as 30d, 12h, 45m or 2w, or "never".');
  }
  return new Date(now.getTime() + duration);
}

/** `--expires-at`: an ISO date or date-time, UTC unless it names a zone. */
export function dateFrom(text: string): Date {
  const date = parseIsoDate(text);
  if (!date) throw new InvalidArgumentError('Expected an ISO date such as 2026-12-31 or 2026-12-31T18:00:00Z.');
  return date;
}

/** `--older-than`: a moment in the past, as `--since` takes it. */
export function pastMomentFrom(text: string, now: Date): Date {
  const moment = sinceFrom(text, now);
  if (moment >= now) throw new InvalidArgumentError('Expected a duration of at least 1m, or an ISO date in the past.');
  return moment;
}

/** `--since`: an ISO date, or a duration back from `now` (`1h`, `7d`). */
export function sinceFrom(text: string, now: Date): Date {
  const duration = parseDuration(text);
  if (duration !== null) return new Date(now.getTime() - duration);
  const date = parseIsoDate(text);
  if (!date) {
    throw new InvalidArgumentError('Expected an ISO date (2026-01-31, 2026-01-31T12:00:00Z) or a duration such as 1h or 7d.');
  }
  return date;
}
