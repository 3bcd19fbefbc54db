import { Brackets, type SelectQueryBuilder } from 'typeorm';
import { TOKEN_TYPES, type Token } from '../entities/token.entity.js';
import { KeysmithValidationError } from '../errors/keysmith-validation.error.js';
import { TOKEN_STATES, type TokenFilter, type TokenState } from './token-service.interface.js';

/** The filters that say whose tokens: a `revokeMany()` must be given one of them. */
export const SELECTING_FILTERS = ['userId', 'tokenType', 'scope', 'createdBefore', 'unusedSince'] as const;

const FILTER_NAMES: ReadonlySet<string> = new Set<keyof TokenFilter>([...SELECTING_FILTERS, 'state']);

/**
 * Refuses a filter value that cannot select anything meaningful (an unknown state, a date that is
 * not a valid `Date`) with a `KeysmithValidationError` naming the filter. With `only`, also
 * refuses names that are not filters.
 */
export function checkTokenFilter(filter: TokenFilter, { only = false } = {}): void {
  if (only) {
    const unknown = Object.keys(filter).find((name) => !FILTER_NAMES.has(name));
    if (unknown !== undefined) {
      throw new KeysmithValidationError(`Unknown filter "${unknown}"; the filters are ${[...FILTER_NAMES].join(', ')}.`, unknown);
    }
  }
  const { userId, tokenType, scope, createdBefore, unusedSince, state } = filter;
  if (userId !== undefined && !(typeof userId === 'number' || (typeof userId === 'string' && userId.length > 0))) {
    throw new KeysmithValidationError('userId must be a non-empty string or a number.', 'userId');
  }
  if (tokenType !== undefined && !TOKEN_TYPES.includes(tokenType)) {
    throw new KeysmithValidationError(`tokenType must be one of ${TOKEN_TYPES.join(', ')}; got "${String(tokenType)}".`, 'tokenType');
  }
  if (scope !== undefined && (typeof scope !== 'string' || scope.length === 0)) {
    throw new KeysmithValidationError('scope must be a non-empty string.', 'scope');
  }
  for (const [name, date] of [
    ['createdBefore', createdBefore],
    ['unusedSince', unusedSince],
  ] as const) {
    if (date !== undefined && !(date instanceof Date && !Number.isNaN(date.getTime()))) {
      throw new KeysmithValidationError(`${name} must be a valid Date.`, name);
    }
  }
  if (state !== undefined && !TOKEN_STATES.includes(state)) {
    throw new KeysmithValidationError(`state must be one of ${TOKEN_STATES.join(', ')}; got "${String(state)}".`, 'state');
  }
}

/**
 * Adds the conditions of a checked filter to a query of `token`. Text is compared exactly, case
 * included, on every database (MySQL and MariaDB compare without case by default).
 */
export function whereTokenFilter(query: SelectQueryBuilder<Token>, filter: TokenFilter, now: Date): void {
  query.setParameters({ now, yes: true, no: false });
  if (filter.userId !== undefined) {
    query.andWhere(`token.userId = :userId${exactly(query, 'token.userId', ':userId')}`, { userId: String(filter.userId) });
  }
  if (filter.tokenType !== undefined) query.andWhere('token.tokenType = :tokenType', { tokenType: filter.tokenType });
  if (filter.scope !== undefined && query.expressionMap.mainAlias?.metadata.findColumnWithPropertyName('scopes')?.isVirtualProperty) {
    throw new KeysmithValidationError(
      "The scope filter reads this package's scopes column, which tables: 'django-keysmith' has not.",
      'scope',
    );
  }
  // `scopes` holds a JSON array, where each scope is written quoted.
  if (filter.scope !== undefined) query.andWhere(`${contains(query, 'token.scopes', ':scope')}`, { scope: JSON.stringify(filter.scope) });
  if (filter.createdBefore !== undefined) query.andWhere('token.createdAt < :createdBefore', { createdBefore: filter.createdBefore });
  if (filter.unusedSince !== undefined) {
    query.andWhere(
      new Brackets((unused) =>
        unused.where('token.lastUsedAt < :unusedSince').orWhere('token.lastUsedAt IS NULL AND token.createdAt < :unusedSince'),
      ),
      { unusedSince: filter.unusedSince },
    );
  }
  if (filter.state !== undefined) query.andWhere(stateCondition(query, filter.state));
}

/** Not revoked, purged, disabled or expired. Needs the parameters `whereTokenFilter` sets. */
export function activeCondition(query: SelectQueryBuilder<Token>): Brackets {
  const disabled = disabledOf(query);
  return new Brackets((active) => active.where(`token.revoked = :no AND token.purged = :no AND ${disabled} = :no`).andWhere(notExpired()));
}

/** Revoked, purged, disabled or expired. */
export function inactiveCondition(query: SelectQueryBuilder<Token>): Brackets {
  const disabled = disabledOf(query);
  return new Brackets((inactive) =>
    inactive.where(`token.revoked = :yes OR token.purged = :yes OR ${disabled} = :yes`).orWhere('token.expiresAt <= :now'),
  );
}

/**
 * `token.disabled`, or the constant that stands for it where the table has no such column
 * (django-keysmith's): TypeORM selects a property mapped to an expression, but leaves its name
 * as it is in a condition.
 */
export function disabledOf(query: SelectQueryBuilder<Token>): string {
  const column = query.expressionMap.mainAlias?.metadata.findColumnWithPropertyName('disabled');
  return column?.isVirtualProperty && column.query ? `(${column.query('token')})` : 'token.disabled';
}

function stateCondition(query: SelectQueryBuilder<Token>, state: TokenState): Brackets {
  const disabled = disabledOf(query);
  return new Brackets((where) => {
    if (state === 'active') where.where(activeCondition(query));
    else if (state === 'disabled') where.where(`token.revoked = :no AND token.purged = :no AND ${disabled} = :yes`);
    else if (state === 'expired')
      where.where(`token.revoked = :no AND token.purged = :no AND ${disabled} = :no AND token.expiresAt <= :now`);
    else if (state === 'revoked') where.where('token.revoked = :yes AND token.purged = :no');
    else where.where('token.purged = :yes');
  });
}

const notExpired = () => new Brackets((expiry) => expiry.where('token.expiresAt IS NULL').orWhere('token.expiresAt > :now'));

const isMysql = (query: SelectQueryBuilder<Token>) => ['mysql', 'mariadb'].includes(query.connection.driver.options.type);

/** On MySQL/MariaDB, a byte comparison beside the indexed one, which ignores case. */
function exactly(query: SelectQueryBuilder<Token>, column: string, parameter: string): string {
  return isMysql(query) ? ` AND CAST(${column} AS BINARY) = CAST(${parameter} AS BINARY)` : '';
}

/** Whether a text column contains a parameter's text, byte for byte. */
function contains(query: SelectQueryBuilder<Token>, column: string, parameter: string): string {
  if (isMysql(query)) return `LOCATE(CAST(${parameter} AS BINARY), CAST(${column} AS BINARY)) > 0`;
  if (query.connection.driver.options.type === 'postgres') return `strpos(${column}, ${parameter}) > 0`;
  return `instr(${column}, ${parameter}) > 0`;
}
