import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { KEYSMITH_ADMIN_GUARD } from './keysmith-admin.constants.js';

/** Lets the guard chosen in `KeysmithAdminModule.forRoot({ guard })` decide about every admin API route. */
@Injectable()
export class KeysmithAdminGuard implements CanActivate {
  constructor(@Inject(KEYSMITH_ADMIN_GUARD) private readonly guard: CanActivate) {}

  canActivate(context: ExecutionContext): ReturnType<CanActivate['canActivate']> {
    return this.guard.canActivate(context);
  }
}
