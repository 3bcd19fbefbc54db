import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { DataSource } from 'typeorm';
import { CliError } from './cli-error.js';
import { isTypeScriptFile, moduleFormatOf } from './module-format.js';
import { canRequireTypeScript, registerTypeScriptLoader } from './typescript-loader.js';

/** Named export of the data source file that holds KeysmithModule options for the CLI. */
export const KEYSMITH_OPTIONS_EXPORT = 'keysmithOptions';

export interface DataSourceFile {
  /** Not initialized yet, unless the file did it. */
  dataSource: DataSource;
  /** The file's `keysmithOptions` export (awaited), if it has one. */
  keysmithOptions: unknown;
}

/**
 * Loads the application's data source file the way the TypeORM CLI does: as an ES module or as
 * CommonJS by its extension and package.json, TypeScript through a loader the application has,
 * and takes the one DataSource it exports, as default or named export (a promise of one works too).
 */
export async function loadDataSourceFile(file: string, typeScriptHooks: URL): Promise<DataSourceFile> {
  if (!existsSync(file)) throw new CliError(`data source file not found: ${file}`);
  // Not `exports`: in the CommonJS build that name would be the module's own.
  const fileExports = await loadExports(file, typeScriptHooks);
  const dataSources = new Set<DataSource>();
  for (const [name, value] of Object.entries(fileExports)) {
    if (name === KEYSMITH_OPTIONS_EXPORT) continue;
    const awaited: unknown = await value;
    if (isDataSource(awaited)) dataSources.add(awaited);
  }
  if (dataSources.size === 0) {
    throw new CliError(`${file} exports no TypeORM DataSource; export it as default or as a named export, as the TypeORM CLI expects.`);
  }
  if (dataSources.size > 1) {
    throw new CliError(`${file} exports ${dataSources.size} DataSources; keep exactly one, as the TypeORM CLI expects.`);
  }
  return { dataSource: [...dataSources][0], keysmithOptions: await fileExports[KEYSMITH_OPTIONS_EXPORT] };
}

async function loadExports(file: string, typeScriptHooks: URL): Promise<Record<string, unknown>> {
  const format = moduleFormatOf(file);
  try {
    if (format === 'commonjs') {
      if (isTypeScriptFile(file) && !canRequireTypeScript(file)) registerTypeScriptLoader(file, format, typeScriptHooks);
      return asExports(createRequire(file)(file));
    }
    try {
      return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      if (!isTypeScriptFile(file) || (error as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
      registerTypeScriptLoader(file, format, typeScriptHooks);
      return (await import(`${pathToFileURL(file).href}?typescript`)) as Record<string, unknown>;
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot load ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** `module.exports = dataSource` counts as a default export. */
function asExports(moduleExports: unknown): Record<string, unknown> {
  if (isDataSource(moduleExports)) return { default: moduleExports };
  return typeof moduleExports === 'object' && moduleExports !== null ? (moduleExports as Record<string, unknown>) : {};
}

/** The check TypeORM's own CLI makes, which also holds for a DataSource of another copy of typeorm. */
function isDataSource(value: unknown): value is DataSource {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)['@instanceof'] === Symbol.for('DataSource');
}
