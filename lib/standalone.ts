import type { DataSource } from 'typeorm';
import type { KeysmithModuleOptions } from './options/keysmith-options.interface.js';
import { standaloneKeysmith, type StandaloneKeysmith } from './standalone-services.js';

export type { StandaloneKeysmith } from './standalone-services.js';

/**
 * `TokenService` and `AuditLogService` on an initialized data source, without a NestJS
 * application: for scripts, jobs and command lines. The verification cache is off; with the
 * `redis` option, rotations and revocations still reach the caches of running applications
 * (without it, the first one logs that those may accept the token for up to `cacheTtlSeconds`).
 */
export function createStandaloneKeysmith(dataSource: DataSource, options: KeysmithModuleOptions = {}): Promise<StandaloneKeysmith> {
  return standaloneKeysmith(dataSource, options);
}
