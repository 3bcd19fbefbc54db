import type { Repository } from 'typeorm';
import type { Token } from '../entities/token.entity.js';
import type { AuditLogService } from '../audit/audit-log.service.js';
import type { TokenService } from '../tokens/token.service.js';

/** Where a command writes: results to stdout, confirmations to stderr. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** What a command works with, built from the application's data source. */
export interface CommandContext {
  tokens: TokenService;
  auditLog: AuditLogService;
  tokenRepository: Repository<Token>;
  output: CliOutput;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder of the value in the help text, for string options. */
  value?: string;
  description: string;
}

/** An option's value as parsed: a string, `true` for a flag, `undefined` when absent. */
export type OptionValues = Record<string, string | boolean | undefined>;

/** One `keysmith <group> <action>` command. */
export interface Command {
  /** `tokens create`. */
  name: string;
  summary: string;
  /** Names of the positional arguments, all required, e.g. `['prefix|id']`. */
  positionals: readonly string[];
  options: Readonly<Record<string, OptionSpec>>;
  run(context: CommandContext, values: OptionValues, positionals: readonly string[]): Promise<void>;
}
