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
    `${tokenTable} is django-keysmith's table (its scopes are in ${tokenTable}${SCOPES_TABLE_SUFFIX}): never run nestjs-keysmith's ` +
    "migrations or synchronize on it. To use django-keysmith's tables as they are, give KeysmithModule.forRoot tables: " +
    "'django-keysmith'; for tables of nestjs-keysmith's own beside them, the data source's entityPrefix, or another schema on " +
    'PostgreSQL. See "Moving from django-keysmith" in the README.'
  );
}

/** Whether the token table at `tokenTablePath` (`[schema.]table`) is django-keysmith's. */
export function isDjangoKeysmithTable(queryRunner: QueryRunner, tokenTablePath: string): Promise<boolean> {
  return queryRunner.hasTable(`${tokenTablePath}${SCOPES_TABLE_SUFFIX}`);
}
