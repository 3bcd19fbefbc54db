import { Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from './timestamp-column.js';

/** Longest notice key: `leaked:` and a SHA-256 in hex. */
export const TOKEN_NOTICE_MAX_LENGTH = 100;

/**
 * A notice sent about a token (an expiry warning, a leak report), one row each: the instance that
 * inserts the row sends the notice, so that of several instances exactly one does.
 */
@Entity({ name: 'keysmith_token_notice' })
export class TokenNotice {
  @PrimaryColumn({ name: 'token_id', type: 'varchar', length: 36 })
  tokenId!: string;

  /** `expiring:<days>:<expiry>`, `expired:<expiry>` or `leaked:<SHA-256 of the raw token>`. */
  @PrimaryColumn({ type: 'varchar', length: TOKEN_NOTICE_MAX_LENGTH })
  notice!: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt!: Date;
}
