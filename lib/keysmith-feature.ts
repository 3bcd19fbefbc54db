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
import type { KeysmithModuleExtras } from './options/keysmith-options.interface.js';
import {
  KEYSMITH_AUDIT_LOG_REPOSITORY,
  KEYSMITH_CLAIM_REPOSITORY,
  KEYSMITH_NOTICE_REPOSITORY,
  KEYSMITH_TOKEN_REPOSITORY,
  KEYSMITH_USAGE_REPOSITORY,
} from './keysmith.internal-constants.js';

/**
 * Adds what depends on the extras: the entities registered on the chosen data source (so that
 * `autoLoadEntities` picks them up), the repositories under the module's own tokens (once the
 * data source is known to keep timestamps as instants and its token and audit tables to have
 * every column), and `global`.
 */
export function keysmithFeatureModule(definition: DynamicModule, extras: KeysmithModuleExtras): DynamicModule {
  const repositories: Provider[] = [
    { provide: KEYSMITH_TOKEN_REPOSITORY, useFactory: checkedSchema, inject: [getRepositoryToken(Token, extras.dataSource)] },
    { provide: KEYSMITH_AUDIT_LOG_REPOSITORY, useExisting: getRepositoryToken(TokenAuditLog, extras.dataSource) },
    { provide: KEYSMITH_NOTICE_REPOSITORY, useExisting: getRepositoryToken(TokenNotice, extras.dataSource) },
    { provide: KEYSMITH_CLAIM_REPOSITORY, useExisting: getRepositoryToken(KeysmithClaim, extras.dataSource) },
    { provide: KEYSMITH_USAGE_REPOSITORY, useExisting: getRepositoryToken(TokenUsage, extras.dataSource) },
  ];
  const entities = TypeOrmModule.forFeature([Token, TokenAuditLog, TokenNotice, KeysmithClaim, TokenUsage], extras.dataSource);
  return {
    ...definition,
    global: extras.isGlobal,
    imports: [...(definition.imports ?? []), entities],
    providers: [...(definition.providers ?? []), ...repositories],
    exports: [...(definition.exports ?? []), entities],
  };
}

async function checkedSchema(tokens: Repository<Token>): Promise<Repository<Token>> {
  assertInstantSafe(tokens.manager.connection);
  await assertKeysmithColumns(tokens.manager.connection, [Token, TokenAuditLog, TokenUsage]);
  return tokens;
}
