import { isIP } from 'node:net';
import type { ValueTransformer } from 'typeorm';

/**
 * How values of django-keysmith's columns differ from this package's: UUIDs of 32 hex digits
 * (as Django keeps them on SQLite and MySQL; PostgreSQL's `uuid` takes them too), integer user
 * ids, naive UTC datetimes with six fractional digits on SQLite, `NOT NULL` request columns and
 * an `inet` address on PostgreSQL. The same on every database.
 */

const DASHED_UUID = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i;

export const djangoUuid: ValueTransformer = {
  to: (id: string | null | undefined) => (typeof id === 'string' ? id.replaceAll('-', '').toLowerCase() : id),
  from: (id: string | null) => (id === null ? null : id.replace(DASHED_UUID, '$1-$2-$3-$4-$5').toLowerCase()),
};

/** Django's `auth_user.id`, an integer; this package's user ids are strings (`DjangoKeysmithScopes` refuses others). */
export const djangoUserId: ValueTransformer = {
  to: (id: string | null | undefined) => id,
  from: (id: number | string | null) => (id === null ? null : String(id)),
};

/** A `NOT NULL` column of django's audit rows that this package leaves empty outside a request. */
export function djangoNotNull<T>(empty: T): ValueTransformer {
  return { to: (value: T | null | undefined) => value ?? empty, from: (value: T) => value };
}

/** Django's `char(39)` on SQLite and MySQL: the longest IPv6 address. */
const MAX_ADDRESS_LENGTH = 39;

/**
 * Django's `GenericIPAddressField`: an address, without an IPv6 zone, or nothing (PostgreSQL's `inet`
 * refuses anything else, failing the whole batch).
 */
export const djangoAddress: ValueTransformer = {
  to: (address: string | null | undefined) =>
    typeof address === 'string' && address.length <= MAX_ADDRESS_LENGTH && isIP(address) !== 0 && !address.includes('%') ? address : null,
  from: (address: string | null) => address,
};

/** django-keysmith's `error_code` of a refusal it also makes: its exception's class name in lowercase. */
const DJANGO_ERROR_CODES: Readonly<Record<string, string>> = {
  invalid_token: 'invalidtoken',
  revoked_token: 'revokedtoken',
  expired_token: 'expiredtoken',
};

export const djangoAuditExtra: ValueTransformer = {
  to: (extra: Record<string, unknown> | undefined) => {
    const code = extra?.error_code;
    return typeof code === 'string' && code in DJANGO_ERROR_CODES ? { ...extra, error_code: DJANGO_ERROR_CODES[code] } : extra;
  },
  from: (extra: Record<string, unknown>) => extra,
};

const NAIVE_DATETIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?$/;

/**
 * A moment in a `DateTimeField`, mapped as text so that TypeORM's SQLite driver, which reads a
 * naive datetime with other than three fractional digits (Django writes six) as local time, leaves
 * it alone: naive text is UTC here, as Django and TypeORM both write it. PostgreSQL (`timestamptz`)
 * and MySQL (UTC, the data source's `timezone: 'Z'`) give `Date`s, which pass; every driver writes
 * a `Date` as the instant it is.
 */
export const djangoInstant: ValueTransformer = {
  to: (moment: Date | null | undefined) => moment,
  from: (stored: Date | string | null) => {
    if (typeof stored !== 'string') return stored;
    const naive = NAIVE_DATETIME.exec(stored);
    if (!naive) return new Date(stored);
    const milliseconds = (naive[3] ?? '').padEnd(3, '0').slice(0, 3);
    return new Date(`${naive[1]}T${naive[2]}.${milliseconds}Z`);
  },
};
