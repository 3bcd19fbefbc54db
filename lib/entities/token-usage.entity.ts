import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { markInstantColumn } from './instant-columns.js';

/**
 * The requests of one token in one minute with one outcome: `success`, or the refusal's
 * `error_code` (`revoked_token`, `insufficient_scope`, `rate_limited`, ...). Each instance adds
 * its counts to the row, so the figure is that of every instance together.
 */
@Entity({ name: 'keysmith_token_usage' })
@Index(['minuteAt'])
export class TokenUsage {
  /** No foreign key: usage outlives a purged token, as the audit log does. */
  @PrimaryColumn({ name: 'token_id', type: 'varchar', length: 36 })
  tokenId!: string;

  /** The start of the minute, UTC. */
  @PrimaryColumn({ name: 'minute_at', type: Date, precision: 3 })
  minuteAt!: Date;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  outcome!: string;

  @Column({ type: 'int' })
  count!: number;
}

markInstantColumn(TokenUsage, 'minuteAt');
