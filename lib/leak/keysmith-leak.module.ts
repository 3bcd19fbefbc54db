import { Module, type DynamicModule } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import type { KeysmithLeakOptions } from './keysmith-leak-options.interface.js';
import { resolveLeakOptions } from './leak-options.js';
import { LeakReportController } from './leak-report.controller.js';
import { KEYSMITH_LEAK_OPTIONS, LeakReports } from './leak-reports.service.js';

/**
 * An endpoint for leak reports in GitHub's secret scanning partner format: `POST <path>` with a
 * signed JSON array of `{ token, type, url, source }`. It uses the `TokenService` of a global
 * `KeysmithModule` (the default), and the raw body NestJS keeps with `rawBody: true`.
 */
@Module({})
export class KeysmithLeakModule {
  /** Mounts the endpoint at `path`; invalid options stop the application with a `KeysmithConfigurationError`. */
  static forRoot(options: KeysmithLeakOptions = {}): DynamicModule {
    const resolved = resolveLeakOptions(options);
    return {
      module: KeysmithLeakModule,
      imports: [RouterModule.register([{ path: resolved.path, module: KeysmithLeakModule }])],
      controllers: [LeakReportController],
      providers: [{ provide: KEYSMITH_LEAK_OPTIONS, useValue: resolved }, LeakReports],
    };
  }
}
