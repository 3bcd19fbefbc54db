import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createTranspiler, type Transpile } from './typescript-transpiler.js';

/** What `typescript-loader.ts` hands these hooks when it registers them. */
export interface TypeScriptHooksData {
  /** `file:` URL of the application's `typescript` package entry. */
  typescriptUrl: string;
  tsconfig: string | null;
}

interface ResolveContext {
  parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;
type NextLoad = (url: string, context: unknown) => Promise<unknown>;

const TYPESCRIPT_URL = /\.m?ts$/;

let transpile: Transpile;

/** Node.js module customization hooks: load `.ts`/`.mts` files as ES modules through the application's TypeScript. */
export async function initialize(data: TypeScriptHooksData): Promise<void> {
  const ts = ((await import(data.typescriptUrl)) as { default: typeof import('typescript') }).default;
  transpile = createTranspiler(ts, data.tsconfig, 'module');
}

/** Lets TypeScript sources import `./entity.js` (or `./entity`) when the file on disk is `./entity.ts`. */
export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<{ url: string }> {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const fromTypeScript = context.parentURL !== undefined && TYPESCRIPT_URL.test(new URL(context.parentURL).pathname);
    if (!fromTypeScript || !specifier.startsWith('.') || (error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    for (const candidate of typeScriptCandidates(specifier)) {
      try {
        return await nextResolve(candidate, context);
      } catch {
        continue;
      }
    }
    throw error;
  }
}

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<unknown> {
  if (!url.startsWith('file:') || !TYPESCRIPT_URL.test(new URL(url).pathname) || url.includes('/node_modules/')) {
    return nextLoad(url, context);
  }
  const file = fileURLToPath(url);
  return { format: 'module', source: transpile(await readFile(file, 'utf8'), file), shortCircuit: true };
}

function typeScriptCandidates(specifier: string): string[] {
  if (specifier.endsWith('.js')) return [specifier.replace(/\.js$/, '.ts')];
  if (specifier.endsWith('.mjs')) return [specifier.replace(/\.mjs$/, '.mts')];
  return [`${specifier}.ts`, `${specifier}/index.ts`];
}
