import { createRequire, register } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addHook } from 'pirates';
import { CliError } from './cli-error.js';
import { nearestFile, type ModuleFormat } from './module-format.js';
import type { TypeScriptHooksData } from './typescript-hooks.js';
import { createTranspiler } from './typescript-transpiler.js';

/** The TypeScript loaders keysmith looks for in the application, in order of preference. */
const TYPESCRIPT_LOADERS = ['@swc-node/register', 'typescript'] as const;

type AppRequire = NodeJS.Require;

/**
 * Teaches this process to load the application's TypeScript, in the spirit of the TypeORM CLI's
 * ts-node entry points: with @swc-node/register when the application has it, else with the
 * application's own `typescript` compiler, file by file; either way with the nearest tsconfig.json
 * of the data source file, so entities get the decorator metadata TypeORM reads. (ts-node is not
 * picked by itself: its ES module resolver fails on NestJS 12's packages. A loader given to node
 * with `--import`, `--loader` or `--require` is used as it is.)
 */
export function registerTypeScriptLoader(file: string, format: ModuleFormat, hooksUrl: URL): void {
  const appRequire = createRequire(file);
  const tsconfig = nearestFile(dirname(file), 'tsconfig.json');
  const loader = TYPESCRIPT_LOADERS.find((name) => isInstalled(appRequire, name) && (name !== 'typescript' || hasCompilerApi(appRequire)));
  if (!loader) {
    throw new CliError(
      `cannot load ${file}: Node.js does not run TypeScript by itself and the application has neither @swc-node/register nor typescript installed; ` +
        'install one, run keysmith under a loader (node --import <loader> …), or pass the compiled .js data source.',
    );
  }
  const parentUrl = pathToFileURL(file);
  switch (loader) {
    case '@swc-node/register':
      defaultEnv('SWC_NODE_PROJECT', tsconfig);
      if (format === 'commonjs') appRequire('@swc-node/register');
      else register('@swc-node/register/esm', parentUrl);
      break;
    case 'typescript':
      if (format === 'commonjs') {
        // Node.js 20's module customization hooks do not reach require(), which loads the file and
        // the .ts entities TypeORM finds by glob in a CommonJS application: pirates hooks require().
        addHook(createTranspiler(appRequire('typescript') as typeof import('typescript'), tsconfig, 'commonjs'), { exts: ['.ts', '.cts'] });
      } else {
        const data: TypeScriptHooksData = { typescriptUrl: pathToFileURL(appRequire.resolve('typescript')).href, tsconfig };
        register(hooksUrl, { parentURL: parentUrl, data });
      }
      break;
  }
}

/** Whether `require` already knows `.ts` files (a loader given with `-r`/`--require` or registered before). */
export function canRequireTypeScript(file: string): boolean {
  return createRequire(file).extensions['.ts'] !== undefined;
}

function isInstalled(appRequire: AppRequire, name: string): boolean {
  try {
    appRequire.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** TypeScript 7 (the native compiler) has no JavaScript API to transpile with. */
function hasCompilerApi(appRequire: AppRequire): boolean {
  return typeof (appRequire('typescript') as { transpileModule?: unknown }).transpileModule === 'function';
}

function defaultEnv(name: string, value: string | null): void {
  if (value !== null && process.env[name] === undefined) process.env[name] = value;
}
