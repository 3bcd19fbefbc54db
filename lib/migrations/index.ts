import { CreateKeysmithTables1795737600000 } from './create-keysmith-tables.migration.js';

export * from './create-keysmith-tables.migration.js';

/**
 * The migrations that create the nestjs-keysmith tables, in order: add them to the `migrations`
 * of the application's DataSource (`migrations: [...KEYSMITH_MIGRATIONS, ...yours]`).
 */
export const KEYSMITH_MIGRATIONS = [CreateKeysmithTables1795737600000];
