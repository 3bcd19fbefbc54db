const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** A stretch of time over which the process's time zone keeps one offset from UTC. */
export interface OffsetPeriod {
  /** Minutes ahead of UTC (Tokyo 540, Los Angeles in winter -480). */
  offsetMinutes: number;
  /** The first instant (epoch milliseconds) of the next period; `null` for the last one. */
  until: number | null;
}

/**
 * The periods of the process's UTC offset, as JavaScript's `Date` applies it, over the given
 * calendar years: their transitions, exact to the millisecond, and between the years asked
 * for (which hold no value to convert) a single change where the offset differs.
 */
export function localOffsetPeriods(years: Iterable<number>): OffsetPeriod[] {
  const periods: OffsetPeriod[] = [];
  let offset: number | undefined;
  for (const [start, end] of yearWindows(years)) {
    if (offset !== undefined && offsetAt(start) !== offset) {
      periods.push({ offsetMinutes: offset, until: start });
    }
    offset = offsetAt(start);
    for (let from = start; from < end; from += HOUR_MS) {
      const to = Math.min(from + HOUR_MS, end);
      if (offsetAt(to) === offset) continue;
      const change = firstInstantWithout(offset, from, to);
      periods.push({ offsetMinutes: offset, until: change });
      offset = offsetAt(change);
    }
  }
  periods.push({ offsetMinutes: offset ?? offsetAt(Date.now()), until: null });
  return periods;
}

function offsetAt(instant: number): number {
  return -new Date(instant).getTimezoneOffset();
}

/** Binary search for the first instant in `(from, to]` whose offset is no longer `offset`. */
function firstInstantWithout(offset: number, from: number, to: number): number {
  while (to - from > 1) {
    const middle = Math.floor((from + to) / 2);
    if (offsetAt(middle) === offset) from = middle;
    else to = middle;
  }
  return to;
}

/**
 * Each year as instants, widened by two days so that every wall-clock time of the year falls
 * inside whatever the offset (at most 14 hours), sorted, and merged where they touch.
 */
function yearWindows(years: Iterable<number>): [number, number][] {
  const windows: [number, number][] = [];
  for (const year of [...new Set(years)].sort((a, b) => a - b)) {
    const start = startOfYear(year) - 2 * DAY_MS;
    const end = startOfYear(year + 1) + 2 * DAY_MS;
    const last = windows.at(-1);
    if (last && start <= last[1]) last[1] = end;
    else windows.push([start, end]);
  }
  return windows;
}

function startOfYear(year: number): number {
  return new Date(0).setUTCFullYear(year, 0, 1);
}
