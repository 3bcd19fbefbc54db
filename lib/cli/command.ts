import type { Command } from 'commander';
import type { Repository } from 'typeorm';
import type { AuditLogService } from '../audit/audit-log.service.js';
import type { Token } from '../entities/token.entity.js';
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
  /** Asks the operator on stderr and reads the answer from stdin: true for yes. */
  confirm: (question: string) => Promise<boolean>;
}

/** What a command does with the application's data: its options as commander parsed them, then its arguments. */
export type CommandRun<Options> = (context: CommandContext, options: Options, args: string[]) => Promise<void>;

/** Commander's action for a command: opens the context on the `-d` data source, runs the command, closes the context. */
export type WithContext = <Options>(run: CommandRun<Options>) => (...actionArgs: [...unknown[], Command]) => Promise<void>;
