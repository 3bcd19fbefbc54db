import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as CliContextModule from './cli-context.js';
import { openContext, type CliContext } from './cli-context.js';
import type { CliOutput } from './command.js';
import { moduleFormatOf } from './module-format.js';

/**
 * Opens the context with the build of nestjs-keysmith that the data source file itself loads.
 * TypeORM knows an entity by its class, and a CommonJS data source gets its entities from the
 * package's CommonJS build (`require`), where this command line runs the ES module build: two
 * copies of each class. For such a file, the context, its entities and services come from the
 * CommonJS build beside this one, so the DataSource and the services share the same classes.
 */
export async function openContextFor(file: string, env: NodeJS.ProcessEnv, output: CliOutput, entry: URL): Promise<CliContext> {
  if (moduleFormatOf(file) === 'module') return openContext(file, env, output, typeScriptHooksBeside(entry));
  const commonJsContext = createRequire(entry)(fileURLToPath(new URL('../../cjs/cli/cli-context.js', entry))) as typeof CliContextModule;
  return commonJsContext.openContext(file, env, output, typeScriptHooksBeside(entry));
}

function typeScriptHooksBeside(entry: URL): URL {
  return new URL('typescript-hooks.js', entry);
}
