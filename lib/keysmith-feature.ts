import type { DynamicModule, Provider } from '@nestjs/common';
import { TypeOrmModule, getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { assertKeysmithColumns } from './entities/assert-columns.js';
import { assertInstantSafe } from './entities/assert-instant-safe.js';
import { KeysmithClaim } from './entities/keysmith-claim.entity.js';
import { TokenAuditLog } from './entities/token-audit-log.entity.js';
import { TokenNotice } from './entities/token-notice.entity.js';
import { Token } from './entities/token.entity.js';
import { TokenUsage } from './entities/token-usage.entity.js';
import { KeysmithConfigurationError } from './errors/keysmith-configuration.error.js';
import { attachDjangoKeysmithTables } from './interop/django-keysmith-mode.js';
import { DJANGO_KEYSMITH_ENTITIES } from './interop/django-keysmith-schemas.js';
import { KEYSMITH_OPTIONS } from './keysmith.constants.js';
import type { KeysmithModuleExtras } from './options/keysmith-options.interface.js';
import type { ResolvedKeysmithOptions } from './options/keysmith.options.js';
import {
  KEYSMITH_AUDIT_LOG_REPOSITORY,
  KEYSMITH_CLAIM_REPOSITORY,
  KEYSMITH_NOTICE_REPOSITORY,
  KEYSMITH_TOKEN_REPOSITORY,
  KEYSMITH_USAGE_REPOSITORY,
} from './keysmith.internal-constants.js';
import { TokenUsageCounter } from './usage/token-usage-counter.js';

/**
 * Adds what depends on the extras: the entities registered on the chosen data source (so that
 * `autoLoadEntities` picks them up), the repositories under the module's own tokens (once the
 * data source is known to keep timestamps as instants and its token and audit tables to have
 * every column), and `global`. With `tables: 'django-keysmith'`, the token and audit entities are
 * mapped to django-keysmith's tables, and usage is not counted (it has no table there).
 */
export function keysmithFeatureModule(definition: DynamicModule, extras: KeysmithModuleExtras): DynamicModule {
  const django = usesDjangoTables(extras);
  const checkedSchema = async (tokens: Repository<Token>, options: ResolvedKeysmithOptions): Promise<Repository<Token>> => {
    const dataSource = tokens.manager.connection;
    if (django) await attachDjangoKeysmithTables(dataSource, options);
    assertInstantSafe(dataSource);
    await assertKeysmithColumns(dataSource, django ? [Token, TokenAuditLog] : [Token, TokenAuditLog, TokenUsage]);
    return tokens;
  };
  const repositories: Provider[] = [
    {
      provide: KEYSMITH_TOKEN_REPOSITORY,
      useFactory: checkedSchema,
      inject: [getRepositoryToken(Token, extras.dataSource), KEYSMITH_OPTIONS],
    },
    { provide: KEYSMITH_AUDIT_LOG_REPOSITORY, useExisting: getRepositoryToken(TokenAuditLog, extras.dataSource) },
    { provide: KEYSMITH_NOTICE_REPOSITORY, useExisting: getRepositoryToken(TokenNotice, extras.dataSource) },
    { provide: KEYSMITH_CLAIM_REPOSITORY, useExisting: getRepositoryToken(KeysmithClaim, extras.dataSource) },
    { provide: KEYSMITH_USAGE_REPOSITORY, useExisting: getRepositoryToken(TokenUsage, extras.dataSource) },
    // Replaces the module's own counter (a dynamic module's providers come after its decorator's).
    ...(django ? [{ provide: TokenUsageCounter, useValue: null }] : []),
  ];
  const entities = TypeOrmModule.forFeature(
    django ? DJANGO_KEYSMITH_ENTITIES : [Token, TokenAuditLog, TokenNotice, KeysmithClaim, TokenUsage],
    extras.dataSource,
  );
  return {
    ...definition,
    global: extras.isGlobal,
    imports: [...(definition.imports ?? []), entities],
    providers: [...(definition.providers ?? []), ...repositories],
    exports: [...(definition.exports ?? []), entities],
  };
}

function usesDjangoTables({ tables = 'nestjs-keysmith' }: KeysmithModuleExtras): boolean {
  if (tables === 'nestjs-keysmith') return false;
  if (tables === 'django-keysmith') return true;
  throw new KeysmithConfigurationError('tables', `expected "nestjs-keysmith" or "django-keysmith"; got ${JSON.stringify(tables)}.`);
}
