import { resolve } from 'node:path';
import { AUDIT_COMMANDS } from './audit.command.js';
import { openContext } from './cli-context.js';
import type { CliOutput, Command } from './command.js';
import { parseCommandLine } from './command-line.js';
import { TOKEN_COMMANDS } from './tokens.command.js';

/** Every `keysmith` command. */
const COMMANDS: readonly Command[] = [...TOKEN_COMMANDS, ...AUDIT_COMMANDS];

export interface CliEnvironment {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  output: CliOutput;
  /** `file:` URL of `typescript-hooks.js`, registered when a TypeScript data source needs it. */
  typeScriptHooks: URL;
}

/**
 * Runs one `keysmith` command line and returns the exit code: 0, or 1 after a one-line
 * `keysmith: <problem>` on stderr.
 */
export async function runCli({ argv, env, cwd, output, typeScriptHooks }: CliEnvironment): Promise<number> {
  try {
    const invocation = parseCommandLine(argv, COMMANDS);
    if (invocation.kind === 'help') {
      output.stdout(invocation.text);
      return 0;
    }
    const context = await openContext(resolve(cwd, invocation.dataSourceFile), env, output, typeScriptHooks);
    try {
      await invocation.command.run(context, invocation.values, invocation.positionals);
    } finally {
      await context.close();
    }
    return 0;
  } catch (error) {
    output.stderr(`keysmith: ${oneLine(error)}\n`);
    return 1;
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
