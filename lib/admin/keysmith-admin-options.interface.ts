import type { CanActivate, Type } from '@nestjs/common';

/** What `KeysmithAdminModule.forRoot()` takes. */
export interface KeysmithAdminOptions {
  /**
   * Where the page (`<path>`) and the API (`<path>/api/...`) are mounted, below any global
   * prefix. Default `/keysmith`.
   */
  path?: string;
  /**
   * The guard of the API. Default: `KeysmithGuard`, with the `keysmith:admin` scope required of
   * the token. A custom guard decides alone; the scope is then only metadata it may read.
   */
  guard?: Type<CanActivate>;
}
