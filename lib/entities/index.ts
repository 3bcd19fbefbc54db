import { TokenAuditLog } from './token-audit-log.entity.js';
import { Token } from './token.entity.js';

export * from './token-audit-log.entity.js';
export * from './token.entity.js';

/** Both entities, for a data source that lists its entities instead of `autoLoadEntities`. */
export const KEYSMITH_ENTITIES = [Token, TokenAuditLog];
