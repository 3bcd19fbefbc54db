/**
 * Packaging: the `npm pack` tarball of this repository, installed (never linked) into two fresh
 * applications, compiled with this repository's TypeScript against the packaged types, and run:
 *
 * - `fixtures/nest12-esm`: NestJS 12, TypeORM 1, an ESM application: it must load `dist/esm`.
 * - `fixtures/nest11-cjs`: NestJS 11, TypeORM 0.3, compiled by tsc to CommonJS: it must `require`
 *   `dist/cjs`. It is also compiled by its own TypeScript 5 (whose CommonJS resolution ignores
 *   `exports`, so `typesVersions` must map the subpaths), and its Jest e2e tests (Jest and ts-jest
 *   as `nest new` sets them up for NestJS 11) run GraphQL and WebSocket suites on the tarball.
 *
 * Each application does the README quick start over real HTTP, then limits a route per token through
 * `nestjs-keysmith/throttler` (and the NestJS 12 one answers a guarded GraphQL resolver), and
 * prints one JSON line. Then the installed `keysmith` runs the README's command line examples on
 * the application's TypeScript data source.
 *
 * Each fixture keeps a package-lock.json, so that a dependency published since cannot change what
 * it installs (a new @babel/core once required a @babel/traverse the registry did not list yet).
 * After changing a fixture's package.json: `npm install --package-lock-only --ignore-scripts` in it.
 *
 * Cost: two `npm install`s. better-sqlite3 has no reachable prebuilt binary here and compiles for
 * minutes; when this repository's own node_modules holds the very version the fixtures pin, built for
 * this Node, it is handed to the fixtures' install as a local prebuild (prebuild-install's
 * `local-prebuilds`), so their install scripts still run and load it. Set
 * `KEYSMITH_PACKAGE_TEST_COMPILE_SQLITE=1` to compile it instead, and `KEYSMITH_PACKAGE_TEST_KEEP=1`
 * to keep the temporary directory for a look afterwards.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FormattedExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = join(ROOT, 'test', 'package', 'fixtures');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
const MINUTE = 60_000;

interface RunResult {
  command: string;
  cwd: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

interface AppSpec {
  name: 'nest12-esm' | 'nest11-cjs';
  /** The build the application must load, and whose types it must compile against. */
  build: 'esm' | 'cjs';
  nest: string;
  typeorm: string;
  /** Compile it with its own TypeScript too (the version `nest new` pins for that NestJS major). */
  ownTypeScript?: string;
  /** Run its Jest e2e suites (`npm run test:e2e`). */
  jestE2e?: boolean;
}

interface AppResult {
  dir: string;
  install?: RunResult;
  compile?: RunResult;
  run?: RunResult;
  /** The JSON line the application printed. */
  output?: AppOutput;
  cli?: CommandLineRuns;
  ownCompile?: RunResult;
  jest?: RunResult;
  /** Jest's `--json` report. */
  jestReport?: JestReport;
}

interface JestReport {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: { name: string; assertionResults: { fullName: string; status: string }[] }[];
}

interface AppOutput {
  app: string;
  keysmithEntry: string;
  loadedCommonJs: string[];
  tokenPrefix: string;
  statuses: Record<'withToken' | 'withoutToken' | 'oldAfterRotate' | 'newAfterRotate' | 'afterRevoke', number>;
  bodies: { withToken: unknown; newAfterRotate: unknown };
  auditActions: string[];
  throttlerEntry: string;
  throttler: { firstStatuses: number[]; refusedMessage: unknown; secondStatus: number };
  /** NestJS 12 only. */
  graphql?: { secondPrefix: string; withToken: unknown; withoutToken: FormattedExecutionResult };
}

interface PackResult {
  filename: string;
  files: { path: string }[];
}

const APPS: AppSpec[] = [
  { name: 'nest12-esm', build: 'esm', nest: '12.5.1', typeorm: '1.1.1' },
  { name: 'nest11-cjs', build: 'cjs', nest: '11.1.29', typeorm: '0.3.31', ownTypeScript: '5.9.3', jestE2e: true },
];

/** npm settings from the environment that say where and how to fetch and build: a CI may set them. */
const KEPT_NPM_CONFIG = /^npm_config_(registry|cache|cafile|ca|proxy|https_proxy|noproxy|strict_ssl|userconfig|globalconfig|nodedir)$/i;

/**
 * The environment of the child processes: without what the `npm test` run around this suite put
 * there (`npm_package_*`, `npm_lifecycle_*`, its local prefix, ...), which would leak into the
 * fixtures' own npm and node.
 */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if ((/^npm_/i.test(key) && !KEPT_NPM_CONFIG.test(key)) || key === 'INIT_CWD' || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function run(command: string, args: string[], options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      clearTimeout(timer);
      if (error) stderr += `\n${error.stack ?? error.message}`;
      done({ command: [command, ...args].join(' '), cwd: options.cwd, code, signal, timedOut, stdout, stderr, ms: Date.now() - started });
    };
    child.on('error', (error) => finish(null, null, error));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

const tail = (text: string, size = 6000) => (text.length > size ? `…${text.slice(-size)}` : text);

/** What to show when a step failed: the command, how it ended, and the end of its output. */
function report(label: string, result: RunResult | undefined): string {
  if (!result) return `${label}: did not run (an earlier step failed)`;
  const ending = result.timedOut ? 'timed out' : result.signal ? `killed by ${result.signal}` : `exit code ${result.code}`;
  return [
    `${label}: \`${result.command}\` in ${result.cwd}: ${ending} after ${Math.round(result.ms / 1000)} s`,
    `--- stderr ---\n${tail(result.stderr) || '(empty)'}`,
    `--- stdout ---\n${tail(result.stdout, 3000) || '(empty)'}`,
  ].join('\n');
}

const succeeded = (result: RunResult | undefined) => result !== undefined && result.code === 0 && !result.timedOut;

/** The last JSON line a process printed. */
function lastJsonLine<T>(stdout: string): T | undefined {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{') || l.startsWith('['))
    .pop();
  if (!line) return undefined;
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined;
  }
}

/** npm prints lifecycle output before its JSON; the JSON is the last top-level array. */
function packJson(stdout: string): PackResult[] {
  const start = stdout.indexOf('[\n');
  return JSON.parse(start >= 0 ? stdout.slice(start) : stdout) as PackResult[];
}

/** Every string value in a JSON value, at any depth (object keys are not values). */
function leafStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(leafStrings);
  return [];
}

function readJson<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/**
 * A local prebuild of better-sqlite3 for the fixtures' install, made from this repository's own
 * copy when it is the version the fixtures pin and built for this Node. Returns the environment
 * that points prebuild-install at it, or nothing (the fixtures then compile better-sqlite3).
 */
async function sqlitePrebuild(tmp: string): Promise<Record<string, string>> {
  if (process.env.KEYSMITH_PACKAGE_TEST_COMPILE_SQLITE === '1') return {};
  const pinned = new Set(
    APPS.map(
      (app) => readJson<{ dependencies: Record<string, string> }>(join(FIXTURES, app.name, 'package.json')).dependencies['better-sqlite3'],
    ),
  );
  const repoCopy = join(ROOT, 'node_modules', 'better-sqlite3');
  const binary = join(repoCopy, 'build', 'Release', 'better_sqlite3.node');
  if (pinned.size !== 1 || !existsSync(binary)) return {};
  const version = readJson<{ version: string }>(join(repoCopy, 'package.json')).version;
  const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
  if (!pinned.has(version) || process.platform !== 'linux' || !glibc) return {};

  const dir = join(tmp, 'prebuilds');
  const stage = join(dir, 'stage');
  await mkdir(join(stage, 'build', 'Release'), { recursive: true });
  await cp(binary, join(stage, 'build', 'Release', 'better_sqlite3.node'));
  const archive = join(dir, `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`);
  const tar = await run('tar', ['-czf', archive, '-C', stage, 'build/Release/better_sqlite3.node'], { cwd: tmp, timeoutMs: MINUTE });
  return succeeded(tar) ? { npm_config_better_sqlite3_local_prebuilds: dir } : {};
}

/** TypeORM's `migration:run`, then the README's `keysmith` examples, in the order the README runs them. */
interface CommandLineRuns {
  migrate: RunResult;
  create?: RunResult;
  list?: RunResult;
  rotate?: RunResult;
  revoke?: RunResult;
  audit?: RunResult;
}

/**
 * The README's "Command line" examples, unchanged, with the `keysmith` the tarball installed and the
 * fixture's src/data-source.ts (TypeScript, loaded by the fixture's own `typescript`), after TypeORM's
 * CLI ran the migrations from the compiled dist/data-source.js.
 */
async function runCommandLine(dir: string): Promise<CommandLineRuns> {
  const keysmith = (...args: string[]) => run('npx', ['--no', 'keysmith', ...args], { cwd: dir, timeoutMs: MINUTE });
  const runs: CommandLineRuns = {
    migrate: await run(process.execPath, ['node_modules/typeorm/cli.js', 'migration:run', '-d', 'dist/data-source.js'], {
      cwd: dir,
      timeoutMs: MINUTE,
    }),
  };
  if (!succeeded(runs.migrate)) return runs;
  const dataSource = ['-d', 'src/data-source.ts'];
  runs.create = await keysmith(
    'tokens',
    'create',
    ...dataSource,
    '--name',
    'ci-deploy',
    '--user',
    '42',
    '--scopes',
    'read,write',
    '--expires-in',
    '30d',
  );
  if (!succeeded(runs.create)) return runs;
  const prefix = runs.create.stdout.slice(0, runs.create.stdout.indexOf(':'));
  runs.list = await keysmith('tokens', 'list', ...dataSource);
  runs.rotate = await keysmith('tokens', 'rotate', prefix, ...dataSource);
  runs.revoke = await keysmith('tokens', 'revoke', prefix, ...dataSource);
  runs.audit = await keysmith('audit', 'list', ...dataSource, '--token', prefix);
  return runs;
}

/** Copies a fixture, installs its dependencies and the tarball, compiles it, runs it. */
async function buildAndRunApp(app: AppSpec, tmp: string, tarball: string, installEnv: Record<string, string>): Promise<AppResult> {
  const dir = join(tmp, app.name);
  const result: AppResult = { dir };
  await cp(join(FIXTURES, app.name), dir, {
    recursive: true,
    filter: (source) => !/[\\/](node_modules|dist)([\\/]|$)/.test(relative(FIXTURES, source)),
  });

  result.install = await run('npm', ['install', '--no-audit', '--no-fund', '--save-exact', tarball], {
    cwd: dir,
    timeoutMs: 15 * MINUTE,
    env: childEnv(installEnv),
  });
  if (!succeeded(result.install)) return result;

  // This repository's TypeScript with the fixture's tsconfig; types come from the fixture's node_modules.
  result.compile = await run(TSC, ['-p', 'tsconfig.json', '--listFiles'], { cwd: dir, timeoutMs: 5 * MINUTE });
  if (!succeeded(result.compile)) return result;

  result.run = await run(process.execPath, ['dist/main.js'], { cwd: dir, timeoutMs: 2 * MINUTE });
  result.output = lastJsonLine<AppOutput>(result.run.stdout);
  result.cli = await runCommandLine(dir);

  if (app.ownTypeScript) {
    result.ownCompile = await run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--noEmit'], {
      cwd: dir,
      timeoutMs: 5 * MINUTE,
    });
  }
  if (app.jestE2e) {
    const reportFile = join(dir, 'jest-report.json');
    result.jest = await run('npm', ['run', 'test:e2e', '--', '--json', `--outputFile=${reportFile}`], { cwd: dir, timeoutMs: 5 * MINUTE });
    if (existsSync(reportFile)) result.jestReport = readJson<JestReport>(reportFile);
  }
  return result;
}

describe('the npm package', () => {
  let tmp: string;
  let pack: RunResult;
  let packed: PackResult | undefined;
  let tarball: string;
  let tarListing: RunResult;
  const apps = new Map<string, AppResult>();
  const manifest = readJson<{
    name: string;
    version: string;
    exports: unknown;
    main?: string;
    module?: string;
    types?: string;
    bin?: unknown;
    typesVersions?: unknown;
  }>(join(ROOT, 'package.json'));

  beforeAll(async () => {
    for (const entry of ['dist/esm/index.js', 'dist/esm/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts']) {
      if (!existsSync(join(ROOT, entry))) throw new Error(`${entry} is missing: run \`npm run build\` first (\`npm test\` does).`);
    }
    const started = Date.now();
    tmp = await mkdtemp(join(tmpdir(), 'keysmith-package-'));

    pack = await run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT, timeoutMs: 5 * MINUTE });
    if (!succeeded(pack)) throw new Error(report('npm pack', pack));
    packed = packJson(pack.stdout)[0];
    if (!packed) throw new Error(report('npm pack printed no JSON', pack));
    tarball = join(tmp, packed.filename);
    tarListing = await run('tar', ['-tzf', tarball], { cwd: tmp, timeoutMs: MINUTE });

    const installEnv = await sqlitePrebuild(tmp);
    const results = await Promise.all(APPS.map((app) => buildAndRunApp(app, tmp, tarball, installEnv)));
    APPS.forEach((app, index) => apps.set(app.name, results[index]));

    const steps = results.map(
      (r, index) =>
        `${APPS[index].name}: install ${Math.round((r.install?.ms ?? 0) / 1000)} s, tsc ${Math.round((r.compile?.ms ?? 0) / 1000)} s, run ${Math.round((r.run?.ms ?? 0) / 1000)} s` +
        (r.jest ? `, jest ${Math.round(r.jest.ms / 1000)} s` : ''),
    );
    console.info(
      `[package tests] ${Math.round((Date.now() - started) / 1000)} s in ${tmp} (better-sqlite3 ${installEnv.npm_config_better_sqlite3_local_prebuilds ? 'from a local prebuild' : 'compiled'}); ${steps.join('; ')}`,
    );
  }, 25 * MINUTE);

  afterAll(async () => {
    if (tmp && process.env.KEYSMITH_PACKAGE_TEST_KEEP !== '1') await rm(tmp, { recursive: true, force: true });
  });

  describe('tarball', () => {
    const paths = () => packed!.files.map((file) => file.path).sort();

    it('holds dist/esm and dist/cjs, each with its declarations', () => {
      const files = paths();
      for (const entry of [
        'package.json',
        'dist/esm/index.js',
        'dist/esm/index.d.ts',
        'dist/cjs/index.js',
        'dist/cjs/index.d.ts',
        'dist/cjs/package.json',
      ]) {
        expect(files, `${entry} is not in the tarball`).toContain(entry);
      }
      for (const build of ['esm', 'cjs']) {
        const js = files.filter((file) => file.startsWith(`dist/${build}/`) && file.endsWith('.js'));
        expect(js.length, `dist/${build} has no .js files`).toBeGreaterThan(10);
        const undeclared = js.filter((file) => !files.includes(file.replace(/\.js$/, '.d.ts')));
        expect(undeclared, `dist/${build} files without a .d.ts beside them`).toEqual([]);
      }
    });

    it('holds nothing from test/, sample/, lib/ or scripts/, and no sources, maps of sources or build info', () => {
      const files = paths();
      expect(files.filter((file) => /^(test|sample|lib|scripts|bench|docs|node_modules)\//.test(file))).toEqual([]);
      expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
      expect(files.filter((file) => file.endsWith('.tsbuildinfo'))).toEqual([]);
      const unexpected = files.filter(
        (file) =>
          !file.startsWith('dist/esm/') &&
          !file.startsWith('dist/cjs/') &&
          !/^(package\.json|README(\.md)?|LICENSE(\.md|\.txt)?|CHANGELOG(\.md)?)$/i.test(file),
      );
      expect(unexpected, 'files outside dist/esm, dist/cjs and the usual top-level files').toEqual([]);
    });

    it('is what `npm pack` listed, and every target of `exports`, `main`, `module`, `types` and `bin` is in it', () => {
      expect(succeeded(tarListing), report('tar -tzf', tarListing)).toBe(true);
      const inTarball = tarListing.stdout
        .split('\n')
        .filter(Boolean)
        .map((entry) => entry.replace(/^package\//, ''))
        .sort();
      expect(inTarball).toEqual(paths());
      const targets = leafStrings([manifest.exports, manifest.main, manifest.module, manifest.types, manifest.bin, manifest.typesVersions])
        .filter((target) => target.startsWith('./'))
        .map((target) => target.slice(2));
      expect(targets.length).toBeGreaterThanOrEqual(13);
      for (const target of targets) expect(paths(), `exports target ./${target} is not in the tarball`).toContain(target);
    });
  });

  describe.each(APPS)('a fresh $name application', (app) => {
    const result = () => apps.get(app.name)!;

    it(`installs the tarball with NestJS ${app.nest} and TypeORM ${app.typeorm}`, () => {
      const { install, dir } = result();
      expect(succeeded(install), report(`npm install in ${app.name}`, install)).toBe(true);

      const installed = join(dir, 'node_modules', manifest.name);
      expect(lstatSync(installed).isSymbolicLink(), 'the package is a symlink, not an install from the tarball').toBe(false);
      expect(readJson<{ version: string }>(join(installed, 'package.json')).version).toBe(manifest.version);
      expect(readJson<{ version: string }>(join(dir, 'node_modules', '@nestjs', 'core', 'package.json')).version).toBe(app.nest);
      expect(readJson<{ version: string }>(join(dir, 'node_modules', 'typeorm', 'package.json')).version).toBe(app.typeorm);
      expect(readJson(join(installed, 'dist', 'cjs', 'package.json'))).toEqual({ type: 'commonjs' });
      // Peers are the application's: the package brings no NestJS or TypeORM of its own.
      const nested = join(installed, 'node_modules');
      const ownCopies = existsSync(nested)
        ? readdirSync(nested).filter((name) => ['@nestjs', 'typeorm', 'rxjs', 'reflect-metadata'].includes(name))
        : [];
      expect(ownCopies, 'peer dependencies installed inside the package').toEqual([]);
    });

    it(`compiles with the repository's tsc against dist/${app.build} declarations`, () => {
      const { compile } = result();
      expect(succeeded(compile), report(`tsc in ${app.name}`, compile)).toBe(true);
      const packageTypes = compile!.stdout
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.includes(`${sep}node_modules${sep}${manifest.name}${sep}`));
      expect(
        packageTypes.some((file) => file.endsWith(join('dist', app.build, 'index.d.ts'))),
        `compiled against: ${packageTypes.join(', ')}`,
      ).toBe(true);
      expect(packageTypes.filter((file) => !file.includes(`${sep}dist${sep}${app.build}${sep}`))).toEqual([]);

      const emitted = readFileSync(join(result().dir, 'dist', 'main.js'), 'utf8');
      if (app.build === 'esm') expect(emitted).toMatch(/^import .* from 'nestjs-keysmith';$/m);
      else expect(emitted).toMatch(/require\("nestjs-keysmith"\)/);
    });

    it('runs the README quick start over real HTTP: 200, 401, rotate 401/200, revoke 401', () => {
      const { run: ran, output } = result();
      expect(succeeded(ran), report(`node dist/main.js in ${app.name}`, ran)).toBe(true);
      expect(output, report(`no JSON line from ${app.name}`, ran)).toBeDefined();
      expect(output!.app).toBe(app.name);
      expect(output!.statuses, report(`statuses of ${app.name}`, ran)).toEqual({
        withToken: 200,
        withoutToken: 401,
        oldAfterRotate: 401,
        newAfterRotate: 200,
        afterRevoke: 401,
      });
      expect(output!.tokenPrefix).toMatch(/^tok_[0-9A-Za-z]{8}$/);
      expect(output!.bodies.withToken).toEqual({ ok: true, token_prefix: output!.tokenPrefix });
      expect(output!.bodies.newAfterRotate).toEqual({ ok: true, token_prefix: output!.tokenPrefix });
      // The entities came through autoLoadEntities and the audit log wrote its rows.
      expect(output!.auditActions).toEqual(expect.arrayContaining(['created', 'auth_success', 'auth_failed', 'rotated', 'revoked']));
    });

    it(`loads dist/${app.build}`, () => {
      const { output, dir } = result();
      expect(output, `${app.name} printed no result`).toBeDefined();
      const installed = join(dir, 'node_modules', manifest.name);
      const distDir = join(installed, 'dist', app.build);
      const entry = output!.keysmithEntry.startsWith('file:') ? fileURLToPath(output!.keysmithEntry) : output!.keysmithEntry;
      expect(entry).toBe(join(distDir, 'index.js'));
      // The package's own files: a dependency npm nests under it (ipaddr.js 2 beside Express's 1) is not one.
      const nested = join(installed, 'node_modules') + sep;
      const loadedOwn = output!.loadedCommonJs.filter((file) => !file.startsWith(nested));
      if (app.build === 'esm') {
        // Nothing of the package went through the CommonJS loader.
        expect(loadedOwn).toEqual([]);
      } else {
        expect(loadedOwn).toContain(join(distDir, 'index.js'));
        expect(loadedOwn.filter((file) => !file.startsWith(distDir + sep))).toEqual([]);
      }
    });

    it('runs the README command line examples with the installed keysmith on a TypeScript data source', () => {
      const { cli } = result();
      expect(cli, 'the command line did not run (an earlier step failed)').toBeDefined();
      const { migrate, create, list, rotate, revoke, audit } = cli!;
      expect(succeeded(migrate), report('typeorm migration:run', migrate)).toBe(true);
      for (const [label, step] of Object.entries({ create, list, rotate, revoke, audit })) {
        expect(succeeded(step), report(`keysmith in ${app.name}: ${label}`, step)).toBe(true);
      }
      expect(create!.stdout).toMatch(/^tok_[0-9A-Za-z]{8}:[0-9A-Za-z]{32}[0-9]{6}\n$/);
      const prefix = create!.stdout.slice(0, create!.stdout.indexOf(':'));
      expect(create!.stderr).toMatch(new RegExp(`^Created token ${prefix} "ci-deploy" \\(user 42, scopes read,write, expires \\S+\\)\\. `));
      const [header, row] = list!.stdout.split('\n').map((line) => line.split(/\s{2,}/));
      expect(header).toEqual(['PREFIX', 'NAME', 'USER', 'SCOPES', 'STATE', 'EXPIRES', 'LAST USED']);
      expect(row).toEqual([prefix, 'ci-deploy', '42', 'read,write', 'active', expect.stringMatching(/^\d{4}-/), 'never']);
      expect(rotate!.stdout.startsWith(`${prefix}:`)).toBe(true);
      expect(rotate!.stdout).not.toBe(create!.stdout);
      // Then the note that, without redis, running instances may accept the token for up to cacheTtlSeconds.
      expect(revoke!.stderr.split('\n')).toEqual([
        `Revoked token ${prefix}.`,
        expect.stringMatching(/^Note: Without the redis option, /),
        '',
      ]);
      const actions = audit!.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(/\s{2,}/).slice(1, 3));
      expect(actions).toEqual([
        ['revoked', prefix],
        ['rotated', prefix],
        ['created', prefix],
      ]);
    });

    it(`limits per token through nestjs-keysmith/throttler, loaded from dist/${app.build}`, () => {
      const { output, dir } = result();
      expect(output, `${app.name} printed no result`).toBeDefined();
      const entry = output!.throttlerEntry.startsWith('file:') ? fileURLToPath(output!.throttlerEntry) : output!.throttlerEntry;
      expect(entry).toBe(join(dir, 'node_modules', manifest.name, 'dist', app.build, 'throttler.js'));
      // Two requests a minute per token: the first token's third is refused, the second token passes.
      expect(output!.throttler).toEqual({
        firstStatuses: [200, 200, 429],
        refusedMessage: 'Too many authentication attempts. Try again later.',
        secondStatus: 200,
      });
    });
  });

  describe('the nest12-esm application with Apollo GraphQL', () => {
    it('answers a guarded resolver with the token, and a request without one with missingToken', () => {
      const { output, run: ran } = apps.get('nest12-esm')!;
      expect(output?.graphql, report('GraphQL in nest12-esm', ran)).toBeDefined();
      const { secondPrefix, withToken, withoutToken } = output!.graphql!;
      expect(withToken).toEqual({ data: { whoami: secondPrefix } });
      expect(withoutToken.data).toBeNull();
      expect(withoutToken.errors?.[0]).toMatchObject({
        message: 'Authentication credentials were not provided.',
        extensions: { code: 'UNAUTHENTICATED' },
      });
    });
  });

  describe('the nest11-cjs application', () => {
    const spec = APPS.find((app) => app.name === 'nest11-cjs')!;
    const result = () => apps.get(spec.name)!;

    it(`compiles with its own TypeScript ${spec.ownTypeScript}, whose CommonJS resolution finds the subpath through typesVersions`, () => {
      const { ownCompile, dir } = result();
      expect(readJson<{ version: string }>(join(dir, 'node_modules', 'typescript', 'package.json')).version).toBe(spec.ownTypeScript);
      expect(succeeded(ownCompile), report(`its own tsc in ${spec.name}`, ownCompile)).toBe(true);
    });

    it('passes its Jest e2e suites: GraphQL resolvers and a Socket.IO gateway on NestJS 11', () => {
      const { jest, jestReport } = result();
      expect(succeeded(jest), report(`npm run test:e2e in ${spec.name}`, jest)).toBe(true);
      expect(jestReport, report('no Jest report', jest)).toBeDefined();
      expect(jestReport!.numFailedTests).toBe(0);
      expect(jestReport!.numPendingTests).toBe(0);
      const passed = jestReport!.testResults.flatMap((file) =>
        file.assertionResults.filter((test) => test.status === 'passed').map((test) => test.fullName),
      );
      expect(passed).toHaveLength(jestReport!.numTotalTests);
      expect(passed).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^KeysmithGuard in an Apollo GraphQL resolver .* answers a missing token with UNAUTHENTICATED and missingToken$/,
          ),
          expect.stringMatching(
            /^KeysmithGuard in an Apollo GraphQL resolver .* answers a missing scope with FORBIDDEN and insufficientScope$/,
          ),
          expect.stringMatching(/^KeysmithGuard in a Socket.IO gateway .* reads the token from the handshake auth\.token$/),
          expect.stringMatching(
            /^KeysmithGuard in a Socket.IO gateway .* sends a client without a token a WsException with statusCode 401 and missingToken$/,
          ),
        ]),
      );
      expect(passed.length).toBeGreaterThanOrEqual(7);
    });
  });
});
