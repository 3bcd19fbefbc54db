import { Option, type Command } from 'commander';
import { TOKEN_TYPES, type TokenType } from '../entities/token.entity.js';
import type { TokenFilter, TokenState } from '../tokens/token-service.interface.js';
import { sinceFrom } from './time-input.js';

/** The filters of `tokens list` and `tokens revoke`, as commander parses them. */
export interface TokenFilterOptions {
  user?: string;
  type?: TokenType;
  scope?: string;
  createdBefore?: Date;
  unusedSince?: Date;
  state?: TokenState;
}

/** The options that say whose tokens; `tokens revoke` needs one of them to revoke many. */
export const SELECTING_OPTIONS = ['--user', '--type', '--scope', '--created-before', '--unused-since'];

const MOMENT_HELP = 'an ISO date (2026-01-31, UTC unless a zone is given) or a duration back (90d, 12h)';

/** Adds `--user`, `--type`, `--scope`, `--created-before`, `--unused-since` and `--state` (one of `states`). */
export function addTokenFilterOptions(command: Command, verb: string, states: readonly TokenState[]): Command {
  return command
    .option('--user <id>', `${verb} the tokens of this user.`)
    .addOption(new Option('--type <user|system>', `${verb} tokens of this type.`).choices(TOKEN_TYPES))
    .option('--scope <scope>', `${verb} tokens that list this scope (exactly, case included).`)
    .option('--created-before <when>', `${verb} tokens created before ${MOMENT_HELP}.`, (text) => sinceFrom(text, new Date()))
    .option(
      '--unused-since <when>',
      `${verb} tokens not used since ${MOMENT_HELP}: last used before it, or never and created before it.`,
      (text) => sinceFrom(text, new Date()),
    )
    .addOption(new Option('--state <state>', `${verb} tokens in this state.`).choices(states));
}

/** The `TokenService` filter of the options given. */
export function tokenFilterOf(options: TokenFilterOptions): TokenFilter {
  return {
    userId: options.user,
    tokenType: options.type,
    scope: options.scope,
    createdBefore: options.createdBefore,
    unusedSince: options.unusedSince,
    state: options.state,
  };
}

/** Whether the options say whose tokens (any filter but `--state`). */
export function selectsTokens(options: TokenFilterOptions): boolean {
  return [options.user, options.type, options.scope, options.createdBefore, options.unusedSince].some((value) => value !== undefined);
}
