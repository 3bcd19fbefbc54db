import type { DataSource } from 'typeorm';
import { Token } from '../entities/token.entity.js';
import { KeysmithConfigurationError } from '../errors/keysmith-configuration.error.js';
import { familyOf } from '../migrations/keysmith-tables.js';
import { IDENTIFIER_LENGTH } from '../token-format/token-format.js';
import type { ResolvedKeysmithOptions } from '../options/keysmith.options.js';
import { DjangoKeysmithScopes } from './django-keysmith-scopes.js';

/** The hash django-keysmith verifies by default, so the one tokens created for it must have. */
const DJANGO_HASHER = 'pbkdf2_sha512';

/** Options that keep their state in tables of this package's own, which django-keysmith's database does not have. */
const NEEDS_OWN_TABLES = ['expiryWarnings', 'auditRetentionDays', 'usageRetentionDays', 'defaultRateLimit'] as const;

/**
 * At startup with `tables: 'django-keysmith'`: refuses a data source or options that django-keysmith's
 * tables cannot serve, naming the option, then reads and writes scopes on that data source.
 */
export async function attachDjangoKeysmithTables(dataSource: DataSource, options: ResolvedKeysmithOptions): Promise<void> {
  if (!familyOf(dataSource.options.type)) {
    throw new KeysmithConfigurationError(
      'tables',
      `django-keysmith's tables are read on PostgreSQL, MySQL, MariaDB and SQLite; this data source uses "${dataSource.options.type}".`,
    );
  }
  if (dataSource.options.synchronize) {
    throw new KeysmithConfigurationError(
      'tables',
      "the data source has synchronize on, which would make django-keysmith's tables this package's (they are marked " +
        "synchronize: false, so it left them as they were); turn synchronize off and let Django's migrations keep them.",
    );
  }
  if (options.hashers.algorithms[0] !== DJANGO_HASHER) {
    throw new KeysmithConfigurationError(
      'hasher',
      `with tables: 'django-keysmith' it must be '${DJANGO_HASHER}', the hash django-keysmith verifies.`,
    );
  }
  const prefixLength = await prefixColumnLength(dataSource);
  // A prefix is `<namespace>_` and the identifier.
  if (prefixLength !== null && options.tokenPrefix.length + 1 + IDENTIFIER_LENGTH > prefixLength) {
    throw new KeysmithConfigurationError(
      'tokenPrefix',
      `django-keysmith's prefix column holds ${prefixLength} characters, a namespace of at most ${prefixLength - 1 - IDENTIFIER_LENGTH}; got "${options.tokenPrefix}".`,
    );
  }
  const unavailable = NEEDS_OWN_TABLES.find((name) => options[name] !== null && options[name] !== undefined);
  if (unavailable) {
    throw new KeysmithConfigurationError(
      unavailable,
      "it keeps its state in nestjs-keysmith's own tables, which tables: 'django-keysmith' does not use.",
    );
  }
  if (options.auditRequests === 'failures') {
    throw new KeysmithConfigurationError(
      'auditRequests',
      "'failures' reads successes from the usage counts, which tables: 'django-keysmith' does not keep.",
    );
  }
  if (!dataSource.subscribers.some((subscriber) => subscriber instanceof DjangoKeysmithScopes)) {
    dataSource.subscribers.push(new DjangoKeysmithScopes());
  }
}

/** The length of the token table's `prefix` column (12 in django-keysmith 0.1, 255 from its migration 0003); `null` when not known. */
async function prefixColumnLength(dataSource: DataSource): Promise<number | null> {
  const queryRunner = dataSource.createQueryRunner();
  try {
    const table = await queryRunner.getTable(dataSource.getMetadata(Token).tablePath);
    const length = Number(table?.findColumnByName('prefix')?.length);
    return Number.isInteger(length) && length > 0 ? length : null;
  } finally {
    await queryRunner.release();
  }
}
