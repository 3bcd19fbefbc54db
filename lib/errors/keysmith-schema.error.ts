/**
 * A table of nestjs-keysmith that the database lacks, or a column missing from one (a migration
 * that was not run, or a table of django-keysmith's under the same name), found while the
 * application starts.
 */
export class KeysmithSchemaError extends Error {
  constructor(
    readonly table: string,
    /** `null` when the whole table is missing. */
    readonly column: string | null,
    /** What to do about it; by default, run the migrations. */
    advice = 'run its migrations (KEYSMITH_MIGRATIONS).',
  ) {
    const missing = column === null ? `The database has no table ${table}` : `The table ${table} has no column ${column}`;
    super(`${missing}, which nestjs-keysmith needs: ${advice}`);
    this.name = 'KeysmithSchemaError';
  }
}
