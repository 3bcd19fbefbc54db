import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { KEYSMITH_ENTITIES, Token } from '../../lib/index.js';
import { createCliApp, dataSourceModule, lines, type CliApp, type CliAppOptions } from './cli-app.js';
import { openCliDatabase, type CliDatabase } from './cli-database.js';

const TSCONFIG_ESM = {
  target: 'ES2022',
  module: 'nodenext',
  moduleResolution: 'nodenext',
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  strict: true,
};
const TSCONFIG_CJS = {
  target: 'ES2021',
  module: 'commonjs',
  moduleResolution: 'bundler',
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  strict: true,
};

/** An application entity whose column types TypeORM can only learn from decorator metadata. */
const USER_ENTITY = `import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column()
  username!: string;

  @Column()
  active!: boolean;
}
`;

/** A TypeScript data source: a named export, the app's entity and the keysmith ones, typed options. */
function typeScriptDataSource(connection: object, userEntityImport: string): string {
  return `import { DataSource } from 'typeorm';
import { KEYSMITH_ENTITIES, KEYSMITH_MIGRATIONS, type KeysmithModuleOptions } from 'nestjs-keysmith';
import { User } from '${userEntityImport}';

export const AppDataSource = new DataSource({
  ...(${JSON.stringify(connection)} as object),
  entities: [User, ...KEYSMITH_ENTITIES],
  migrations: KEYSMITH_MIGRATIONS,
} as ConstructorParameters<typeof DataSource>[0]);

export const keysmithOptions: KeysmithModuleOptions = { bcryptRounds: 4, tokenPrefix: 'ts' };
`;
}

describe('keysmith -d <data source file>', () => {
  let db: CliDatabase;
  const apps: CliApp[] = [];

  beforeAll(async () => {
    db = await openCliDatabase('sqlite-file', 'cli_data_source');
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.remove()));
  });
  afterAll(() => db?.close());

  async function application(options: CliAppOptions): Promise<CliApp> {
    const app = await createCliApp(options);
    apps.push(app);
    return app;
  }

  /** Creates a token through the command line and checks the raw token it printed authenticates. */
  async function expectWorkingCreate(
    app: CliApp,
    dataSourceFile: string,
    env: Record<string, string> = {},
    ...args: string[]
  ): Promise<Token> {
    const run = await app.run(['tokens', 'create', '--name', `via-${dataSourceFile}`, ...args, '-d', dataSourceFile], env);
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stdout)).toHaveLength(1);
    return db.keysmith.tokens.authenticate(run.stdout.trim());
  }

  it("loads an ES module TypeScript data source with the application's typescript, decorator metadata included", async () => {
    const app = await application({
      files: {
        'tsconfig.json': JSON.stringify({ compilerOptions: TSCONFIG_ESM }),
        'src/users/user.entity.ts': USER_ENTITY,
        'src/data-source.ts': typeScriptDataSource(db.connection, './users/user.entity.js'),
      },
      packages: ['typescript'],
    });
    const token = await expectWorkingCreate(app, 'src/data-source.ts');
    expect(token.prefix).toMatch(/^ts_/);
  });

  it('loads a CommonJS TypeScript data source, whose entities come from the CommonJS build', async () => {
    const app = await application({
      type: 'commonjs',
      files: {
        'tsconfig.json': JSON.stringify({ compilerOptions: TSCONFIG_CJS }),
        'src/users/user.entity.ts': USER_ENTITY,
        'src/data-source.ts': typeScriptDataSource(db.connection, './users/user.entity'),
      },
      packages: ['typescript'],
    });
    const token = await expectWorkingCreate(app, 'src/data-source.ts');
    expect(token.prefix).toMatch(/^ts_/);
    const list = await app.run(['tokens', 'list', '--json', '-d', 'src/data-source.ts']);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((listed) => listed.id)).toContain(token.id);
  });

  it.each([
    ['a CommonJS', 'commonjs', TSCONFIG_CJS, '__dirname'],
    ['an ES module', 'module', TSCONFIG_ESM, 'import.meta.dirname'],
  ] as const)(
    'loads the .ts entities that %s TypeScript data source names by glob, which TypeORM itself loads',
    async (_, type, compilerOptions, directory) => {
      const app = await application({
        type,
        files: {
          'tsconfig.json': JSON.stringify({ compilerOptions }),
          'src/users/user.entity.ts': USER_ENTITY,
          'src/data-source.ts': `import { DataSource } from 'typeorm';
import { KEYSMITH_ENTITIES } from 'nestjs-keysmith/typeorm';

export default new DataSource({
  ...(${JSON.stringify(db.connection)} as object),
  entities: [${directory} + '/**/*.entity.ts', ...KEYSMITH_ENTITIES],
} as ConstructorParameters<typeof DataSource>[0]);
`,
        },
        packages: ['typescript'],
      });
      await expectWorkingCreate(app, 'src/data-source.ts', { KEYSMITH_BCRYPT_ROUNDS: '4' });
    },
  );

  it('loads a .cjs data source that assigns module.exports', async () => {
    const app = await application({
      files: {
        'data-source.cjs': `const { DataSource } = require('typeorm');
const { KEYSMITH_ENTITIES } = require('nestjs-keysmith');
module.exports = new DataSource({ ...${JSON.stringify(db.connection)}, entities: KEYSMITH_ENTITIES });
`,
      },
    });
    await expectWorkingCreate(app, 'data-source.cjs', { KEYSMITH_BCRYPT_ROUNDS: '4' });
  });

  it('says in one line how to load TypeScript when the application has no loader', async () => {
    const app = await application({ files: { 'data-source.ts': 'export const answer: number = 42;\n' } });
    const run = await app.run(['tokens', 'list', '-d', 'data-source.ts']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(
        /^keysmith: cannot load .*data-source\.ts: Node\.js does not run TypeScript by itself .*neither @swc-node\/register nor typescript installed; install one/,
      ),
    ]);
  });

  it.each([
    ['no DataSource', 'export const notADataSource = {};\n', /exports no TypeORM DataSource; export it as default or as a named export/],
    [
      'two DataSources',
      "import { DataSource } from 'typeorm';\nexport const a = new DataSource({ type: 'better-sqlite3', database: ':memory:' });\nexport const b = new DataSource({ type: 'better-sqlite3', database: ':memory:' });\n",
      /exports 2 DataSources; keep exactly one/,
    ],
    [
      'a DataSource without the keysmith entities',
      "import { DataSource } from 'typeorm';\nexport default new DataSource({ type: 'better-sqlite3', database: ':memory:' });\n",
      /does not know the nestjs-keysmith entities; add KEYSMITH_ENTITIES to its entities\.$/,
    ],
    ['a top-level error', "throw new Error('DATABASE_URL is not set');\n", /cannot load .*data-source\.js: DATABASE_URL is not set$/],
  ])('refuses a file with %s in one line', async (_, source, message) => {
    const app = await application({ files: { 'data-source.js': source } });
    const run = await app.run(['tokens', 'list', '-d', 'data-source.js']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^keysmith: /)]);
    expect(run.stderr.trim()).toMatch(message);
  });

  it('says so when the DataSource lists the entities of another copy of nestjs-keysmith', async () => {
    const app = await application({ files: { 'data-source.js': dataSourceModule(db.connection, {}) } });
    const copy = join(app.dir, 'node_modules', 'nestjs-keysmith');
    await rm(copy);
    await mkdir(copy);
    await cp('package.json', join(copy, 'package.json'));
    await cp('dist', join(copy, 'dist'), { recursive: true });
    const run = await app.run(['tokens', 'list', '-d', 'data-source.js']);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `keysmith: the DataSource of ${join(app.dir, 'data-source.js')} lists the entities of another copy of nestjs-keysmith; run the keysmith of that copy (npx keysmith in the application).\n`,
    });
  });

  it('asks for the migrations when the database has no tables yet', async () => {
    const app = await application({ files: {} });
    const empty = { type: 'better-sqlite3', database: `${app.dir}/empty.sqlite` } as const;
    await writeFile(`${app.dir}/data-source.js`, dataSourceModule(empty, {}));
    const run = await app.run(['tokens', 'list', '-d', 'data-source.js']);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'keysmith: the database has no keysmith_token and no keysmith_token_audit_log table; run the migrations first (KEYSMITH_MIGRATIONS).\n',
    });
  });

  it('names the table and the column when a migration was not run', async () => {
    const app = await application({ files: {} });
    const stale = { type: 'better-sqlite3', database: `${app.dir}/stale.sqlite` } as const;
    const source = new DataSource({ ...stale, entities: KEYSMITH_ENTITIES, synchronize: true });
    await source.initialize();
    await source.query('ALTER TABLE keysmith_token DROP COLUMN previous_key');
    await source.destroy();
    await writeFile(`${app.dir}/data-source.js`, dataSourceModule(stale, {}));
    const run = await app.run(['tokens', 'list', '-d', 'data-source.js']);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'keysmith: The table keysmith_token has no column previous_key, which nestjs-keysmith needs: run its migrations (KEYSMITH_MIGRATIONS).\n',
    });
  });

  it('takes the keysmithOptions export: prefix and hasher of new tokens', async () => {
    const app = await application({
      files: { 'data-source.js': dataSourceModule(db.connection, { tokenPrefix: 'exp', hasher: 'sha256' }) },
    });
    const token = await expectWorkingCreate(app, 'data-source.js');
    expect(token.prefix).toMatch(/^exp_/);
    expect(token.key).toMatch(/^sha256\$/);
  });

  it('lets KEYSMITH_* environment variables override the export', async () => {
    const app = await application({
      files: { 'data-source.js': dataSourceModule(db.connection, { bcryptRounds: 4, availableScopes: ['read'] }) },
    });
    const env = { KEYSMITH_TOKEN_PREFIX: 'ops', KEYSMITH_AVAILABLE_SCOPES: 'deploy, read', KEYSMITH_DEFAULT_EXPIRY_DAYS: 'never' };
    const token = await expectWorkingCreate(app, 'data-source.js', env, '--scopes', 'deploy');
    expect(token).toMatchObject({ scopes: ['deploy'], expiresAt: null });
    expect(token.prefix).toMatch(/^ops_/);

    const refused = await app.run(['tokens', 'create', '--name', 'x', '--scopes', 'admin', '-d', 'data-source.js'], env);
    expect(refused).toEqual({ code: 1, stdout: '', stderr: 'keysmith: Unknown scope "admin"; available scopes: deploy, read.\n' });
    const badNumber = await app.run(['tokens', 'list', '-d', 'data-source.js'], { KEYSMITH_SECRET_LENGTH: 'long' });
    expect(badNumber).toEqual({ code: 1, stdout: '', stderr: 'keysmith: KEYSMITH_SECRET_LENGTH must be a number; got "long".\n' });
    const badPrefix = await app.run(['tokens', 'list', '-d', 'data-source.js'], { KEYSMITH_TOKEN_PREFIX: 'my_app' });
    expect(badPrefix.code).toBe(1);
    expect(badPrefix.stderr).toMatch(/^keysmith: Invalid KeysmithModule option "tokenPrefix": .*\n$/);
  });

  it('never changes the schema nor logs SQL to stdout, whatever the data source asks', async () => {
    const { token } = await db.keysmith.tokens.create({ name: 'kept', userId: 'schema-keeper' });
    const unsafe = ", synchronize: true, dropSchema: true, migrationsRun: true, logging: 'all'";
    const app = await application({ files: { 'data-source.js': dataSourceModule(db.connection, {}, unsafe) } });
    const run = await app.run(['tokens', 'list', '--user', 'schema-keeper', '-d', 'data-source.js']);
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stdout)).toHaveLength(2);
    expect(lines(run.stdout)[1].startsWith(`${token.prefix}  kept`)).toBe(true);
    expect(await db.dataSource.getRepository(Token).findOneBy({ id: token.id })).not.toBeNull();
  });
});
