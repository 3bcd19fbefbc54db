import type { Command, OptionSpec } from './command.js';
import { KEYSMITH_OPTIONS_EXPORT } from './data-source-loader.js';
import { KEYSMITH_ENV_NAMES } from './keysmith-options-source.js';
import { GLOBAL_OPTIONS } from './option-specs.js';

/** `keysmith --help`. */
export function generalHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    'keysmith: manage nestjs-keysmith API tokens from the command line.',
    '',
    'Usage: keysmith <command> -d <data-source file> [options]',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    `Keysmith options (tokenPrefix, hasher, availableScopes, ...) come from a \`${KEYSMITH_OPTIONS_EXPORT}\` export of the`,
    `data source file, overridden by the environment: ${KEYSMITH_ENV_NAMES.join(', ')}.`,
    'Run keysmith <command> --help for the options of a command.',
    '',
  ].join('\n');
}

/** `keysmith tokens create --help`. */
export function commandHelp(command: Command): string {
  const positionals = command.positionals.map((name) => ` <${name}>`).join('');
  return [
    `Usage: keysmith ${command.name}${positionals} -d <data-source file> [options]`,
    '',
    command.summary,
    '',
    'Options:',
    ...optionLines({ ...command.options, ...GLOBAL_OPTIONS }),
    '',
  ].join('\n');
}

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const flags = Object.entries(options).map(([name, spec]) => {
    const long = `--${name}${spec.value ? ` <${spec.value}>` : ''}`;
    return spec.short ? `-${spec.short}, ${long}` : `    ${long}`;
  });
  const width = Math.max(...flags.map((flag) => flag.length));
  return Object.values(options).map((spec, index) => `  ${flags[index].padEnd(width)}  ${spec.description}`);
}
