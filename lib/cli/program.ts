import { Command, CommanderError, Help, Option } from 'commander';
import { addAuditCommands } from './audit.command.js';
import type { CliOutput, WithContext } from './command.js';
import { KEYSMITH_OPTIONS_EXPORT } from './data-source-loader.js';
import { KEYSMITH_ENV_NAMES } from './keysmith-options-source.js';
import { addScanCommand, type ScanEnvironment } from './scan.command.js';
import { addTokenCommands } from './tokens.command.js';

const USAGE = '-d <data-source file> [options]';
const HELP_WIDTH = 80;

/**
 * `keysmith <group> <action> [<argument>] -d <file> [options]` as commander parses it: a command's
 * options, `-d` included, follow its words. Commander throws its `CommanderError` instead of
 * exiting (after a help too) and writes nothing but help, to `output.stdout`; `runCli` turns the
 * errors into one line.
 */
export function keysmithProgram(output: CliOutput, withContext: WithContext, scanEnvironment: ScanEnvironment): Command {
  const program = new Command('keysmith')
    .description('Manage nestjs-keysmith API tokens from the command line.')
    .usage(`<command> ${USAGE}`)
    .helpCommand(false)
    .exitOverride()
    .configureOutput({ writeOut: (text) => output.stdout(text), writeErr: () => {}, outputError: () => {} })
    // Lists every command by its full name (`tokens create`), in the help of keysmith and of each group.
    .configureHelp({
      helpWidth: HELP_WIDTH,
      visibleCommands: commandsUnder,
      subcommandTerm: (command) => [...commandPath(command), ...argumentTerms(command)].join(' '),
    })
    .addHelpText('after', `\n${new Help().boxWrap(generalNotes(), HELP_WIDTH)}`);
  // The groups and commands below inherit the settings above.
  addTokenCommands(program, withContext);
  addAuditCommands(program, withContext);
  for (const command of commandsUnder(program)) {
    command.usage([...argumentTerms(command), USAGE].join(' ')).addOption(dataSourceOption());
  }
  // Added after: scan takes -d only to look the tokens it finds up.
  const scan = addScanCommand(program, scanEnvironment);
  scan.usage([...argumentTerms(scan), '[options]'].join(' '));
  // Set after the commands inherited the plain override: only keysmith itself sees options before the command words.
  program.exitOverride((error) => {
    if (error.code !== 'commander.unknownOption') throw error;
    throw new CommanderError(error.exitCode, error.code, `${error.message}; options follow the command words: keysmith <command> ${USAGE}`);
  });
  return program;
}

/** The option every command needs: the application's data source file, as for the TypeORM CLI. */
function dataSourceOption(): Option {
  return new Option(
    '-d, --dataSource <file>',
    "File that exports the application's TypeORM DataSource (.js or .ts), as for the TypeORM CLI.",
  ).makeOptionMandatory();
}

function generalNotes(): string {
  return [
    "Every tokens and audit command takes -d, --dataSource <file>: the application's TypeORM data source file (.js or .ts); " +
      'scan takes it to look the tokens it finds up.',
    '',
    `Keysmith options (tokenPrefix, hasher, availableScopes, ...) come from a \`${KEYSMITH_OPTIONS_EXPORT}\` export of the data source ` +
      `file, overridden by the environment: ${KEYSMITH_ENV_NAMES.join(', ')}.`,
    '',
    'Run keysmith <command> --help for the options of a command.',
  ].join('\n');
}

/** The commands that run (not the groups) under `parent`, in the order they were added. */
function commandsUnder(parent: Command): Command[] {
  return parent.commands.flatMap((command) => (command.commands.length > 0 ? commandsUnder(command) : [command]));
}

/** `['tokens', 'create']`: the command's words after `keysmith`. */
function commandPath(command: Command): string[] {
  return command.parent?.parent ? [...commandPath(command.parent), command.name()] : [command.name()];
}

/** `['<prefix|id>']`, `['[paths...]']`: the command's arguments, as commander writes them. */
function argumentTerms(command: Command): string[] {
  return command.registeredArguments.map((argument) => {
    const name = `${argument.name()}${argument.variadic ? '...' : ''}`;
    return argument.required ? `<${name}>` : `[${name}]`;
  });
}
