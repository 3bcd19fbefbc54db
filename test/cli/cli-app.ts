import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { KeysmithModuleOptions } from '../../lib/index.js';

/** The built command line, as package.json's `bin` names it. */
export const CLI = resolve('dist/esm/cli/main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliApp {
  /** The application's folder. */
  dir: string;
  /** Runs `keysmith <args>` in the application's folder; `input` is its stdin (empty by default). */
  run(args: readonly string[], env?: Record<string, string>, input?: string): Promise<CliRun>;
  /** Runs another Node.js script (another command line) in the application's folder. */
  runScript(script: string, args: readonly string[]): Promise<CliRun>;
  remove(): Promise<void>;
}

export interface CliAppOptions {
  /** Files by path relative to the application's folder. */
  files: Record<string, string>;
  /** package.json `type`. Default `module`. */
  type?: 'module' | 'commonjs';
  /** Packages the application has installed (linked from this repository), besides typeorm and nestjs-keysmith. */
  packages?: string[];
}

/**
 * A throwaway application folder outside this repository: a package.json, typeorm and the built
 * nestjs-keysmith in its node_modules, and the given files.
 */
export async function createCliApp({ files, type = 'module', packages = [] }: CliAppOptions): Promise<CliApp> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
  const dir = await mkdtemp(join(tmpdir(), 'keysmith-cli-'));
  await mkdir(join(dir, 'node_modules'));
  await symlink(resolve('.'), join(dir, 'node_modules', 'nestjs-keysmith'));
  for (const name of ['typeorm', ...packages]) await symlink(resolve('node_modules', name), join(dir, 'node_modules', name));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'cli-app', private: true, type }));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return {
    dir,
    run: (args, env = {}, input = '') => runNode(dir, CLI, args, env, input),
    runScript: (script, args) => runNode(dir, script, args, {}, ''),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

function runNode(cwd: string, script: string, args: readonly string[], env: Record<string, string>, input: string): Promise<CliRun> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [script, ...args],
      { cwd, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

/**
 * An ES module data source file as an application writes one for the TypeORM CLI: the connection,
 * the nestjs-keysmith entities and migrations, and the `keysmithOptions` the CLI reads.
 */
export function dataSourceModule(connection: DataSourceOptions, keysmithOptions: KeysmithModuleOptions, extra = ''): string {
  return [
    "import { DataSource } from 'typeorm';",
    "import { KEYSMITH_ENTITIES, KEYSMITH_MIGRATIONS } from 'nestjs-keysmith/typeorm';",
    '',
    `export default new DataSource({ ...${JSON.stringify(connection)}, entities: KEYSMITH_ENTITIES, migrations: KEYSMITH_MIGRATIONS${extra} });`,
    '',
    `export const keysmithOptions = ${JSON.stringify(keysmithOptions)};`,
    '',
  ].join('\n');
}

/** The lines of an output, without the final newline. */
export function lines(text: string): string[] {
  return text.replace(/\n$/, '').split('\n');
}
