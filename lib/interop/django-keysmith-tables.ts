import type { QueryRunner } from 'typeorm';

/**
 * django-keysmith keeps a token's scopes in `keysmith_token_scopes`, a many-to-many table to
 * `auth_permission`; nestjs-keysmith has no table of that name, so its presence beside a token
 * table tells django-keysmith's tables from this package's.
 */
const SCOPES_TABLE_SUFFIX = '_scopes';

/** What to do when the token table is django-keysmith's: said by the startup check and by the migrations. */
export function djangoKeysmithTableAdvice(tokenTable: string): string {
  return (
    `${tokenTable} is django-keysmith's table (its scopes are in ${tokenTable}${SCOPES_TABLE_SUFFIX}), which nestjs-keysmith ` +
    'neither reads nor changes: never run its migrations or synchronize on it. Give nestjs-keysmith tables of its own ' +
    '(the data source\'s entityPrefix, or another schema on PostgreSQL); see "Moving from django-keysmith" in the README.'
  );
}

/** Whether the token table at `tokenTablePath` (`[schema.]table`) is django-keysmith's. */
export function isDjangoKeysmithTable(queryRunner: QueryRunner, tokenTablePath: string): Promise<boolean> {
  return queryRunner.hasTable(`${tokenTablePath}${SCOPES_TABLE_SUFFIX}`);
}
