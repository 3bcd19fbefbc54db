import { CommanderError, type Command } from 'commander';
import { resolve } from 'node:path';
import type { CliOutput, CommandRun, WithContext } from './command.js';
import { confirmOn } from './confirm.js';
import { openContextFor } from './context-build.js';
import { keysmithProgram } from './program.js';

export interface CliEnvironment {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  output: CliOutput;
  /** What `keysmith scan -` reads, and where an operator answers a confirmation. */
  stdin: AsyncIterable<Buffer | string>;
  /** `file:` URL of the running `main.js`, whose folder holds the TypeScript hooks and whose package the CommonJS build. */
  entry: URL;
}

/**
 * Runs one `keysmith` command line and returns the exit code: 0, or 1 after a one-line
 * `keysmith: <problem>` on stderr (and 1 when `keysmith scan` finds a token).
 */
export async function runCli({ argv, env, cwd, output, stdin, entry }: CliEnvironment): Promise<number> {
  let exitCode = 0;
  const openContext = (file: string) => openContextFor(resolve(cwd, file), env, output, entry);
  const withContext: WithContext =
    <Options>(run: CommandRun<Options>) =>
    async (...actionArgs: [...unknown[], Command]) => {
      const command = actionArgs.at(-1) as Command;
      const { dataSource, ...options } = command.opts<{ dataSource: string }>();
      const context = await openContext(dataSource);
      try {
        await run({ ...context, confirm: (question) => confirmOn(stdin, output, question) }, options as Options, command.args);
      } finally {
        await context.close();
      }
    };
  try {
    const scanEnvironment = { output, stdin, cwd, openContext, setExitCode: (code: number) => void (exitCode = code) };
    await keysmithProgram(output, withContext, scanEnvironment).parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return 0;
    output.stderr(`keysmith: ${problemOf(error)}\n`);
    return 1;
  }
}

function problemOf(error: unknown): string {
  // Commander asks for a command by showing the help on stderr, which keysmith keeps to one line.
  if (error instanceof CommanderError && error.code === 'commander.help') return 'no command given; run keysmith --help.';
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}
