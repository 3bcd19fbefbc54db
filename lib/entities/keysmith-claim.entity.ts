import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from './timestamp-column.js';

/**
 * A job claimed by one instance until `expiresAt` (the audit retention's prune): of several
 * instances, only the one whose insert or update took the row runs the job.
 */
@Entity({ name: 'keysmith_claim' })
export class KeysmithClaim {
  /** The job, such as `audit-retention`. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name!: string;

  /** The instance that holds the claim (a random id per process). */
  @Column({ type: 'varchar', length: 64 })
  holder!: string;

  @TimestampColumn({ name: 'expires_at' })
  expiresAt!: Date;
}
