import { Option, type Command } from 'commander';
import type { Token } from '../entities/token.entity.js';
import { scanSources, SKIPPED_FOLDERS, type ScanSource } from '../scan/scan-sources.js';
import { findTokens, type FoundToken } from '../scan/token-finder.js';
import type { CliContext } from './cli-context.js';
import { CliError } from './cli-error.js';
import type { CliOutput } from './command.js';

/** Recorded as `extra.source` of the audit rows of the tokens `--revoke` revokes. */
const SCAN_SOURCE = 'scan';

/** What `keysmith scan` needs beside its arguments. */
export interface ScanEnvironment {
  output: CliOutput;
  stdin: AsyncIterable<Buffer | string>;
  cwd: string;
  /** Opens the application's database through its data source file (`-d`). */
  openContext(file: string): Promise<CliContext>;
  /** Sets the exit code: 1 once a token is found. */
  setExitCode(code: number): void;
}

interface ScanOptions {
  json?: true;
  dataSource?: string;
  revoke?: true;
}

/** What the database says of a token found: `null` state for a prefix it does not know. */
interface TokenStatus {
  state: Token['state'] | null;
  secretValid: boolean | null;
  /** Revoked by this scan. */
  revoked: boolean;
}

interface Finding {
  file: string;
  line: number;
  prefix: string;
  status?: TokenStatus;
}

/** `keysmith scan [paths...]`: tokens in files, folders or standard input, never printing a secret. */
export function addScanCommand(program: Command, environment: ScanEnvironment): Command {
  return program
    .command('scan')
    .description(
      'Find tokens in files, folders (node_modules, .git and binary files skipped) or standard input (-), check their checksums ' +
        'offline, and print where they are and their prefix, never their secret. Exits 1 if any is found, 0 if none.',
    )
    .argument('[paths...]', 'Files and folders to scan, - for standard input (default: the current folder).')
    .option('--json', 'Print JSON instead of lines.')
    .option('-d, --dataSource <file>', 'The application data source: add each token’s state and whether its secret is still valid.')
    .addOption(new Option('--revoke', 'Revoke every active token found with its valid secret (needs -d).'))
    .action((paths: string[], options: ScanOptions) => scan(environment, paths.length > 0 ? paths : ['.'], options));
}

async function scan(environment: ScanEnvironment, paths: string[], options: ScanOptions): Promise<void> {
  if (options.revoke && !options.dataSource)
    throw new CliError('--revoke needs -d <data-source file>: the database to revoke the tokens in.');
  const context = options.dataSource ? await environment.openContext(options.dataSource) : null;
  try {
    const lookUp = context ? statusLookup(context, options.revoke === true) : null;
    const findings: Finding[] = [];
    const counts = { files: 0, binary: 0 };
    for await (const source of scanSources(paths, environment.cwd, environment.stdin)) {
      for await (const found of tokensOf(source, counts, environment.output)) {
        const finding: Finding = { file: source.name, line: found.line, prefix: found.prefix };
        if (lookUp) finding.status = await lookUp(found, `${source.name}:${found.line}`);
        findings.push(finding);
        if (!options.json) environment.output.stdout(`${findingLine(finding)}\n`);
      }
    }
    if (options.json) environment.output.stdout(`${JSON.stringify(findings.map(findingJson), null, 2)}\n`);
    environment.output.stderr(summary(findings, counts));
    environment.setExitCode(findings.length > 0 ? 1 : 0);
  } finally {
    await context?.close();
  }
}

/** The source's tokens; a binary file or one that cannot be read is counted or reported, and yields none. */
async function* tokensOf(source: ScanSource, counts: { files: number; binary: number }, output: CliOutput): AsyncGenerator<FoundToken> {
  try {
    const chunks = await source.open();
    if (!chunks) {
      counts.binary++;
      return;
    }
    counts.files++;
    yield* findTokens(chunks);
  } catch (error) {
    output.stderr(`keysmith: cannot read ${source.name}: ${(error as Error).message}\n`);
  }
}

/**
 * Looks each raw token up once (however often it is found), and with `revoke` revokes an active
 * token whose secret is valid, its audit row naming the scan and where the token was first found.
 */
function statusLookup(context: CliContext, revoke: boolean): (found: FoundToken, location: string) => Promise<TokenStatus> {
  const known = new Map<string, Promise<TokenStatus>>();
  return (found, location) => {
    let status = known.get(found.rawToken);
    if (!status) {
      status = (async () => {
        const { token, secretMatches } = await context.tokens.identify(found.rawToken);
        if (!token) return { state: null, secretValid: null, revoked: false };
        if (revoke && secretMatches && token.state === 'active') {
          const revoked = await context.tokens.revoke(token, { source: SCAN_SOURCE, location });
          return { state: revoked.state, secretValid: true, revoked: true };
        }
        return { state: token.state, secretValid: secretMatches, revoked: false };
      })();
      known.set(found.rawToken, status);
    }
    return status;
  };
}

function findingLine({ file, line, prefix, status }: Finding): string {
  const where = `${file}:${line}: ${prefix}`;
  if (!status) return where;
  if (status.state === null) return `${where} (unknown to this database)`;
  const secret = status.secretValid ? 'secret valid' : 'secret no longer valid';
  return `${where} (${status.state}, ${secret}${status.revoked ? '; revoked by this scan' : ''})`;
}

function findingJson({ status, ...where }: Finding) {
  return status ? { ...where, ...status } : where;
}

function summary(findings: Finding[], counts: { files: number; binary: number }): string {
  const scanned = `${counts.files} file(s) scanned, ${counts.binary} binary file(s) and any ${SKIPPED_FOLDERS.join(' and ')} skipped`;
  if (findings.length === 0) return `No token found; ${scanned}.\n`;
  const files = new Set(findings.map((finding) => finding.file)).size;
  const revoked = new Set(findings.filter((finding) => finding.status?.revoked).map((finding) => finding.prefix)).size;
  return `${findings.length} token(s) found in ${files} file(s)${revoked > 0 ? `, ${revoked} revoked` : ''}; ${scanned}.\n`;
}
