import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './cli-error.js';
import type { Command, OptionSpec, OptionValues } from './command.js';
import { commandHelp, generalHelp } from './help.js';
import { GLOBAL_OPTIONS } from './option-specs.js';

/** What the command line asks for: a help text, or a command to run against a data source file. */
export type Invocation =
  { kind: 'help'; text: string } | { kind: 'run'; command: Command; dataSourceFile: string; values: OptionValues; positionals: string[] };

/**
 * Reads `keysmith <group> <action> [arguments] [options]` with `node:util`'s `parseArgs`; options
 * may stand before, between or after the command words. Anything the command does not take is a
 * `CliError`.
 */
export function parseCommandLine(argv: readonly string[], commands: readonly Command[]): Invocation {
  const everyOption: Record<string, OptionSpec> = Object.assign({}, GLOBAL_OPTIONS, ...commands.map((command) => command.options));
  const scan = parseArgs({ args: [...argv], options: parseArgsOptions(everyOption), strict: false, allowPositionals: true, tokens: true });
  const unknown = scan.tokens.find((token) => token.kind === 'option' && !Object.hasOwn(everyOption, token.name));
  if (unknown?.kind === 'option') throw new CliError(`unknown option ${unknown.rawName}; run keysmith --help.`);

  const words = scan.positionals.slice(0, 2).join(' ');
  const command = commands.find((candidate) => candidate.name === words);
  if (!command) {
    if (scan.values.help === true) return { kind: 'help', text: generalHelp(commands) };
    if (words === '') throw new CliError('no command given; run keysmith --help.');
    throw new CliError(`unknown command "${words}"; the commands are ${commands.map((candidate) => candidate.name).join(', ')}.`);
  }

  const parsed = parseCommand(argv, command);
  if (parsed.values.help === true) return { kind: 'help', text: commandHelp(command) };
  const positionals = parsed.positionals.slice(2);
  if (positionals.length > command.positionals.length) {
    throw new CliError(`unexpected argument "${positionals[command.positionals.length]}" for ${command.name}.`);
  }
  if (positionals.length < command.positionals.length) {
    throw new CliError(`${command.name} needs <${command.positionals[positionals.length]}>.`);
  }
  const dataSourceFile = parsed.values.dataSource;
  if (typeof dataSourceFile !== 'string') {
    throw new CliError("missing -d/--dataSource <file>, the file that exports the application's TypeORM DataSource.");
  }
  return { kind: 'run', command, dataSourceFile, values: parsed.values as OptionValues, positionals };
}

function parseCommand(argv: readonly string[], command: Command) {
  try {
    return parseArgs({
      args: [...argv],
      options: parseArgsOptions({ ...GLOBAL_OPTIONS, ...command.options }),
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    const option = /^Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    if (option) throw new CliError(`${command.name} takes no option ${option}; run keysmith ${command.name} --help.`);
    throw new CliError((error as Error).message);
  }
}

function parseArgsOptions(options: Readonly<Record<string, OptionSpec>>): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(options).map(([name, spec]) => [name, spec.short ? { type: spec.type, short: spec.short } : { type: spec.type }]),
  );
}
