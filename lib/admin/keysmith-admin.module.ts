import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { KeysmithGuard } from '../auth/keysmith.guard.js';
import { normalizeAdminPath } from './admin-path.js';
import { AdminAuditLogsController } from './controllers/admin-audit-logs.controller.js';
import { AdminPageController } from './controllers/admin-page.controller.js';
import { AdminTokensController } from './controllers/admin-tokens.controller.js';
import type { KeysmithAdminOptions } from './keysmith-admin-options.interface.js';
import { KEYSMITH_ADMIN_GUARD } from './keysmith-admin.constants.js';
import { KeysmithAdminGuard } from './keysmith-admin.guard.js';

/**
 * The operator's console, opt-in: a management API under `<path>/api` and an admin page at
 * `<path>` (default `/keysmith`). It uses the `TokenService`, `AuditLogService` and
 * `KeysmithGuard` of a global `KeysmithModule` (the default), so import both:
 * `imports: [KeysmithModule.forRoot(...), KeysmithAdminModule.forRoot()]`.
 */
@Module({})
export class KeysmithAdminModule {
  /** Mounts the page and the API at `path`, behind `guard` (see `KeysmithAdminOptions`). */
  static forRoot(options: KeysmithAdminOptions = {}): DynamicModule {
    const path = normalizeAdminPath(options.path);
    const guard: Provider = options.guard
      ? { provide: KEYSMITH_ADMIN_GUARD, useClass: options.guard }
      : { provide: KEYSMITH_ADMIN_GUARD, useExisting: KeysmithGuard };
    return {
      module: KeysmithAdminModule,
      imports: [RouterModule.register([{ path, module: KeysmithAdminModule }])],
      controllers: [AdminTokensController, AdminAuditLogsController, AdminPageController],
      providers: [guard, KeysmithAdminGuard],
    };
  }
}
