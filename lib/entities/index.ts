import { KeysmithClaim } from './keysmith-claim.entity.js';
import { TokenAuditLog } from './token-audit-log.entity.js';
import { TokenNotice } from './token-notice.entity.js';
import { Token } from './token.entity.js';
import { TokenUsage } from './token-usage.entity.js';

export * from './keysmith-claim.entity.js';
export * from './token-audit-log.entity.js';
export * from './token-notice.entity.js';
export * from './token.entity.js';
export * from './token-usage.entity.js';

/** The entities, for a data source that lists its entities instead of `autoLoadEntities`. */
export const KEYSMITH_ENTITIES = [Token, TokenAuditLog, TokenNotice, KeysmithClaim, TokenUsage];
