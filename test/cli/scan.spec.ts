import { execFile, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildToken, type Token } from '../../lib/index.js';
import { generateToken } from '../../lib/token-format/token-format.js';
import { OTHER_VENDOR_KEYS } from '../support/other-vendor-keys.js';
import { CLI, createCliApp, dataSourceModule, lines, type CliApp, type CliRun } from './cli-app.js';
import { cliDatabases, openCliDatabase, type CliDatabase } from './cli-database.js';

/** `keysmith <args>` in the application's folder, `input` on its standard input. */
function keysmith(app: CliApp, args: readonly string[], input = ''): Promise<CliRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: app.dir });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

const secretOf = (rawToken: string) => rawToken.slice(rawToken.indexOf(':') + 1);

/** A token with a wrong last digit: its checksum fails. */
const typo = (rawToken: string) => rawToken.slice(0, -1) + String((Number(rawToken.at(-1)) + 1) % 10);

describe('keysmith scan over files and standard input', () => {
  let app: CliApp;
  const [inConfig, inEnv, inLongLine, inCrlf] = [
    generateToken('tok', 32),
    generateToken('myapp', 40),
    generateToken('tok', 256),
    generateToken('tok', 16),
  ];
  const planted = [inConfig, inEnv, inLongLine, inCrlf];

  beforeAll(async () => {
    app = await createCliApp({ files: {} });
    const longLine = `${'x'.repeat(65_530)} ${inLongLine.rawToken} ${'y'.repeat(140_000)}`;
    await writeFiles(join(app.dir, 'tree'), {
      'src/config.ts': `// settings\nexport const region = 'eu';\nexport const apiKey = '${inConfig.rawToken}';\n`,
      '.env': `PORT=3000\nKEYSMITH_TOKEN=${inEnv.rawToken}\n`,
      'docs/long-line.txt': longLine,
      'notes-crlf.txt': `one\r\ntwo\r\nthree\r\n${inCrlf.rawToken}`,
      'decoys/vendors.txt': OTHER_VENDOR_KEYS.map((key) => `${key.vendor}: ${key.value}`).join('\n'),
      'decoys/typo.txt': `KEY=${typo(inConfig.rawToken)}\n`,
      'node_modules/pkg/index.js': `module.exports = '${inConfig.rawToken}';\n`,
      '.git/config': `[credential]\n  token = ${inConfig.rawToken}\n`,
      'assets/image.bin': Buffer.concat([Buffer.from([0x89, 0x50, 0x00, 0x01]), Buffer.from(inConfig.rawToken)]),
    });
    await symlink(join(app.dir, 'tree/src/config.ts'), join(app.dir, 'tree/link.txt'));
    await writeFiles(join(app.dir, 'clean'), { 'a.txt': 'nothing here\n', 'b/c.md': OTHER_VENDOR_KEYS[0].value });
  });
  afterAll(() => app?.remove());

  it('prints file, line and prefix of each token whose checksum is right, never its secret, and exits 1', async () => {
    const run = await keysmith(app, ['scan', 'tree']);
    expect(run.code).toBe(1);
    expect(lines(run.stdout)).toEqual([
      `tree/.env:2: ${inEnv.prefix}`,
      `tree/docs/long-line.txt:1: ${inLongLine.prefix}`,
      `tree/notes-crlf.txt:4: ${inCrlf.prefix}`,
      `tree/src/config.ts:3: ${inConfig.prefix}`,
    ]);
    expect(run.stderr).toBe('4 token(s) found in 4 file(s); 6 file(s) scanned, 1 binary file(s) and any node_modules and .git skipped.\n');
    for (const { rawToken } of planted) {
      expect(run.stdout + run.stderr).not.toContain(secretOf(rawToken));
    }
  });

  it('--json prints the same findings as JSON', async () => {
    const run = await keysmith(app, ['scan', 'tree/src', 'tree/.env', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual([
      { file: 'tree/src/config.ts', line: 3, prefix: inConfig.prefix },
      { file: 'tree/.env', line: 2, prefix: inEnv.prefix },
    ]);
  });

  it('exits 0 with nothing on stdout when there is no token; scans the current folder by default', async () => {
    const run = await keysmith(app, ['scan', 'clean']);
    expect(run).toEqual({
      code: 0,
      stdout: '',
      stderr: 'No token found; 2 file(s) scanned, 0 binary file(s) and any node_modules and .git skipped.\n',
    });
    const here = await keysmith(app, ['scan']);
    expect(lines(here.stdout)).toContain(`tree/src/config.ts:3: ${inConfig.prefix}`);
  });

  it('reads standard input for -, so that `git log -p | keysmith scan -` scans history', async () => {
    const history = [
      'commit 0f3c2a1b',
      'Author: Dev <dev@example.test>',
      '',
      'diff --git a/.env b/.env',
      '--- a/.env',
      '+++ b/.env',
      '@@ -1 +1 @@',
      `-KEYSMITH_TOKEN=${inEnv.rawToken}`,
      '+KEYSMITH_TOKEN=',
    ].join('\n');
    const run = await keysmith(app, ['scan', '-'], history);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(`-:8: ${inEnv.prefix}\n`);
  });

  it('is listed by --help, and its own help names -d as optional', async () => {
    expect((await keysmith(app, ['--help'])).stdout).toMatch(/^ {2}scan \[paths\.\.\.\]\s+Find tokens in files/m);
    const help = await keysmith(app, ['scan', '--help']);
    expect(lines(help.stdout)[0]).toBe('Usage: keysmith scan [paths...] [options]');
    expect(help.stdout).toContain('-d, --dataSource <file>');
    expect(help.stdout).toContain('--revoke');
  });

  it('says what is wrong, with exit code 1: a missing path, --revoke without -d', async () => {
    expect(await keysmith(app, ['scan', 'no-such-folder'])).toMatchObject({
      code: 1,
      stderr: 'keysmith: no such file or folder: no-such-folder\n',
    });
    const revoke = await keysmith(app, ['scan', 'clean', '--revoke']);
    expect(revoke).toMatchObject({ code: 1, stdout: '' });
    expect(revoke.stderr).toBe('keysmith: --revoke needs -d <data-source file>: the database to revoke the tokens in.\n');
  });

  it('scans a file of 200 MB, with a line of 50 MB, in bounded memory', { timeout: 120_000 }, async () => {
    const big = join(app.dir, 'big/huge.log');
    await mkdir(dirname(big), { recursive: true });
    const late = generateToken('tok', 32);
    const out = createWriteStream(big);
    const block = 'GET /api/health 200 1ms tok_notatoken:ab 12:00:00\n'.repeat(20_000);
    let blocks = 0;
    for (; blocks * block.length < 150 * 1024 * 1024; blocks++) {
      if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    out.write(`${'z'.repeat(50 * 1024 * 1024)} ${late.rawToken}\n`);
    await new Promise<void>((resolve) => out.end(() => resolve()));

    const peakKb = async (path: string) => {
      const { stderr } = await promisify(execFile)('/usr/bin/time', ['-f', '%M', process.execPath, CLI, 'scan', path], {
        cwd: app.dir,
      }).catch((error: { stderr: string }) => error);
      return Number(lines(stderr).at(-1));
    };
    const baseline = await peakKb('clean');
    const scanning = await peakKb('big');
    expect(scanning - baseline, `peak RSS ${scanning} KB against ${baseline} KB for a small folder`).toBeLessThan(64 * 1024);
    const run = await keysmith(app, ['scan', 'big']);
    expect(run.stdout).toBe(`big/huge.log:${blocks * 20_000 + 1}: ${late.prefix}\n`);
  });
});

describe.each(cliDatabases())('keysmith scan -d on %s', (database) => {
  let db: CliDatabase;
  let app: CliApp;
  let active: { token: Token; rawToken: string };
  let rotatedAway: string;
  let revoked: { token: Token; rawToken: string };
  const unknown = buildToken('tok_Nobody00', 'Q'.repeat(32));

  beforeAll(async () => {
    db = await openCliDatabase(database, 'cli_scan');
    app = await createCliApp({ files: { 'data-source.js': dataSourceModule(db.connection, { bcryptRounds: 4 }) } });
    const { tokens } = db.keysmith;
    active = await tokens.create({ name: 'leaked-live' });
    const rotated = await tokens.create({ name: 'rotated' });
    rotatedAway = rotated.rawToken;
    await tokens.rotate(rotated.token);
    revoked = await tokens.create({ name: 'revoked' });
    await tokens.revoke(revoked.token);
    await writeFiles(join(app.dir, 'repo'), {
      'a.env': `LIVE=${active.rawToken}\nOLD=${rotatedAway}\n`,
      'b.ts': `const gone = '${revoked.rawToken}';\nconst stranger = '${unknown}';\nconst again = '${active.rawToken}';\n`,
    });
  });
  afterAll(async () => {
    await app?.remove();
    await db?.close();
  });

  it("adds each token's state and whether its secret is still valid", async () => {
    const run = await keysmith(app, ['scan', 'repo', '-d', 'data-source.js']);
    expect(run.code).toBe(1);
    expect(lines(run.stdout)).toEqual([
      `repo/a.env:1: ${active.token.prefix} (active, secret valid)`,
      `repo/a.env:2: ${rotatedAway.slice(0, 12)} (active, secret no longer valid)`,
      `repo/b.ts:1: ${revoked.token.prefix} (revoked, secret valid)`,
      'repo/b.ts:2: tok_Nobody00 (unknown to this database)',
      `repo/b.ts:3: ${active.token.prefix} (active, secret valid)`,
    ]);
    expect((await db.keysmith.tokens.get(active.token.id)).revoked).toBe(false);
  });

  it('--revoke revokes the active tokens found with their valid secret, once, audited with the scan and where', async () => {
    const run = await keysmith(app, ['scan', 'repo', '-d', 'data-source.js', '--revoke', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual([
      { file: 'repo/a.env', line: 1, prefix: active.token.prefix, state: 'revoked', secretValid: true, revoked: true },
      { file: 'repo/a.env', line: 2, prefix: rotatedAway.slice(0, 12), state: 'active', secretValid: false, revoked: false },
      { file: 'repo/b.ts', line: 1, prefix: revoked.token.prefix, state: 'revoked', secretValid: true, revoked: false },
      { file: 'repo/b.ts', line: 2, prefix: 'tok_Nobody00', state: null, secretValid: null, revoked: false },
      { file: 'repo/b.ts', line: 3, prefix: active.token.prefix, state: 'revoked', secretValid: true, revoked: true },
    ]);
    expect(run.stderr).toContain('5 token(s) found in 2 file(s), 1 revoked;');
    expect((await db.keysmith.tokens.get(active.token.id)).revoked).toBe(true);
    expect((await db.keysmith.tokens.get(rotatedAway.slice(0, 12))).revoked).toBe(false);
    const rows = await db.keysmith.auditLog.list({ tokenId: active.token.id, action: 'revoked' });
    expect(rows.map((row) => row.extra)).toEqual([{ source: 'scan', location: 'repo/a.env:1' }]);

    const again = await keysmith(app, ['scan', 'repo', '-d', 'data-source.js', '--revoke']);
    expect(again.stderr).not.toContain('revoked;');
    expect(await db.keysmith.auditLog.list({ tokenId: active.token.id, action: 'revoked' })).toHaveLength(1);
  });
});
