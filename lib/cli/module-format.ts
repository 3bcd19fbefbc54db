import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';

/** How Node.js (and the TypeORM CLI) reads a file: as an ES module or as CommonJS. */
export type ModuleFormat = 'module' | 'commonjs';

const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

export function isTypeScriptFile(file: string): boolean {
  return TYPESCRIPT_EXTENSIONS.has(extname(file));
}

/** `.mjs`/`.mts` are modules, `.cjs`/`.cts` CommonJS, others follow the nearest package.json's `type`. */
export function moduleFormatOf(file: string): ModuleFormat {
  const extension = extname(file);
  if (extension === '.mjs' || extension === '.mts') return 'module';
  if (extension === '.cjs' || extension === '.cts') return 'commonjs';
  const packageJson = nearestFile(dirname(file), 'package.json');
  if (!packageJson) return 'commonjs';
  try {
    return (JSON.parse(readFileSync(packageJson, 'utf8')) as { type?: string }).type === 'module' ? 'module' : 'commonjs';
  } catch {
    return 'commonjs';
  }
}

/** The closest `name` in `directory` or one of its parents, or `null`. */
export function nearestFile(directory: string, name: string): string | null {
  for (let current = directory; ; current = dirname(current)) {
    const candidate = join(current, name);
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return null;
  }
}
