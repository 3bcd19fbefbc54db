import type { ModuleFormat } from './module-format.js';

type TypeScript = typeof import('typescript');

/** Turns one TypeScript file into JavaScript of the given module format. */
export type Transpile = (source: string, fileName: string) => string;

/**
 * Transpiles file by file with the application's own `typescript` and `tsconfig.json` (as
 * ts-node's transpile-only mode does), keeping `experimentalDecorators` and
 * `emitDecoratorMetadata`, which TypeORM's entities need, on unless the tsconfig says otherwise.
 */
export function createTranspiler(ts: TypeScript, tsconfig: string | null, format: ModuleFormat): Transpile {
  const configured = tsconfig ? (ts.getParsedCommandLineOfConfigFile(tsconfig, {}, configHost(ts))?.options ?? {}) : {};
  const compilerOptions = {
    target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    ...configured,
    module: format === 'module' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
    moduleResolution: undefined,
    verbatimModuleSyntax: undefined,
    declaration: false,
    sourceMap: false,
    inlineSourceMap: true,
    inlineSources: true,
    noEmit: false,
  };
  return (source, fileName) => ts.transpileModule(source, { compilerOptions, fileName }).outputText;
}

function configHost(ts: TypeScript) {
  return {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic: import('typescript').Diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '));
    },
  };
}
