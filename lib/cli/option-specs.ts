import type { OptionSpec } from './command.js';

/** Options every command takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  dataSource: {
    type: 'string',
    short: 'd',
    value: 'file',
    description: "File that exports the application's TypeORM DataSource (.js or .ts), as for the TypeORM CLI.",
  },
  help: { type: 'boolean', short: 'h', description: 'Show help.' },
};

/** `--json` of every listing. */
export const JSON_OPTION: OptionSpec = { type: 'boolean', description: 'Print JSON instead of a table.' };
