import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  KEYSMITH_ENTITIES,
  KEYSMITH_MIGRATIONS,
  InvalidTokenError,
  KeysmithSchemaError,
  Pbkdf2Sha512Hasher,
  Token,
  createStandaloneKeysmith,
  parseToken,
} from '../../lib/index.js';
import { HasherRegistry } from '../../lib/hashing/hasher-registry.js';
import { startOn } from '../support/start-on.js';
import { djangoFamilyOf, djangoVerifies, fixtureTokens, loadDjangoDatabase, type Role } from './django-database.js';

const SUITE = 'django_interop';
/** django-keysmith's own tables, which nothing here may change. */
const DJANGO_TABLES = ['keysmith_token', 'keysmith_token_audit_log', 'keysmith_token_scopes'];

/** The shape of every key django-keysmith stored in the fixtures. */
const DJANGO_KEY = /^pbkdf2_sha512\$100000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{86}==$/;

/** An in-memory SQLite database with nestjs-keysmith's own tables. */
function ownTablesInMemory(): Promise<DataSource> {
  return new DataSource({ type: 'better-sqlite3', database: ':memory:', synchronize: true, entities: KEYSMITH_ENTITIES }).initialize();
}

/** Each token's prefix and stored key, as django-keysmith keeps them (`key` is a reserved word on MySQL). */
function storedKeys(django: DataSource): Promise<{ prefix: string; key: string }[]> {
  const key = django.driver.escape('key');
  return django.query(`SELECT prefix, ${key} AS ${key} FROM keysmith_token`);
}

/** Each django-keysmith table's columns and row count, to show that nothing changed them. */
async function djangoTables(source: DataSource): Promise<Record<string, unknown>> {
  const queryRunner = source.createQueryRunner();
  try {
    const snapshot: Record<string, unknown> = {};
    for (const name of DJANGO_TABLES) {
      const table = await queryRunner.getTable(name);
      const [{ count }]: { count: number | string }[] = await source.query(`SELECT COUNT(*) AS count FROM ${name}`);
      snapshot[name] = { columns: table?.columns.map((column) => `${column.name} ${column.type}`), rows: Number(count) };
    }
    return snapshot;
  } finally {
    await queryRunner.release();
  }
}

describe('Tokens nestjs-keysmith creates with the pbkdf2_sha512 hasher', () => {
  it("have the prefix length and key shape of django-keysmith's rows, and django's hasher verifies them", async () => {
    const source = await ownTablesInMemory();
    try {
      const keysmith = await createStandaloneKeysmith(source, { hasher: 'pbkdf2_sha512' });
      const { token, rawToken } = await keysmith.tokens.create({ name: 'to django', userId: '1' });
      expect(token.prefix).toHaveLength(fixtureTokens('postgres').valid.prefix.length);
      expect(token.key).toMatch(DJANGO_KEY);
      expect(djangoVerifies(parseToken(rawToken).secret, token.key)).toBe(true);
      await keysmith.close();
    } finally {
      await source.destroy();
    }
  });
});

describe.each(inject('databases').filter((database) => ['postgres', 'sqlite-file', 'mariadb'].includes(database)))(
  "django-keysmith's tables on %s",
  (database) => {
    let django: DataSource;
    let before: Record<string, unknown>;

    beforeAll(async () => {
      django = await new DataSource(await loadDjangoDatabase(database, SUITE)).initialize();
      before = await djangoTables(django);
    });

    afterAll(async () => {
      await django.destroy();
    });

    it("hold secrets the pbkdf2_sha512 hasher verifies, and a rotated token's old secret it refuses", async () => {
      // As the service verifies a stored key: by the hasher its `<algorithm>$` tag names.
      const hasher = new HasherRegistry(new Pbkdf2Sha512Hasher(), [], 1);
      const rows = await storedKeys(django);
      const keys = new Map(rows.map((row) => [row.prefix, row.key]));
      const tokens = fixtureTokens(djangoFamilyOf(database));
      for (const role of Object.keys(tokens).filter((name) => name !== 'user_id') as Role[]) {
        const { raw, new_raw: rotatedTo } = tokens[role];
        const { prefix, secret } = parseToken(raw);
        const key = keys.get(prefix)!;
        expect(key, role).toMatch(DJANGO_KEY);
        expect(djangoVerifies(secret, key), role).toBe(role !== 'rotated');
        expect(await hasher.verify(secret, key), role).toBe(role !== 'rotated');
        if (rotatedTo) expect(await hasher.verify(parseToken(rotatedTo).secret, key), role).toBe(true);
      }
    });

    it('hold keys that TokenService, configured with bcrypt, accepts once copied into its own tables', async () => {
      const rows = await storedKeys(django);
      const { valid, revoked } = fixtureTokens(djangoFamilyOf(database));
      const source = await ownTablesInMemory();
      try {
        const keysmith = await createStandaloneKeysmith(source, { hasher: 'bcrypt', bcryptRounds: 4 });
        const { token } = await keysmith.tokens.create({ name: 'copied from django' });
        const copied = rows.find((row) => row.prefix === valid.prefix)!;
        await source.getRepository(Token).update({ id: token.id }, { prefix: copied.prefix, key: copied.key });
        expect((await keysmith.tokens.authenticate(valid.raw)).id).toBe(token.id);
        // The same secret against another token's key: refused.
        const other = rows.find((row) => row.prefix === revoked.prefix)!;
        await source.getRepository(Token).update({ id: token.id }, { key: other.key });
        await expect(keysmith.tokens.authenticate(valid.raw)).rejects.toBeInstanceOf(InvalidTokenError);
        await keysmith.close();
      } finally {
        await source.destroy();
      }
    });

    it('stop an application at startup with an error that says whose tables they are, and stay as they were', async () => {
      const source = await new DataSource({ ...django.options, entities: KEYSMITH_ENTITIES }).initialize();
      try {
        const error = await startOn(source).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(KeysmithSchemaError);
        expect(error).toMatchObject({ table: 'keysmith_token', column: 'scopes' });
        expect((error as Error).message).toBe(
          "The table keysmith_token has no column scopes, which nestjs-keysmith needs: keysmith_token is django-keysmith's table " +
            "(its scopes are in keysmith_token_scopes): never run nestjs-keysmith's migrations or synchronize on it. To use " +
            "django-keysmith's tables as they are, give KeysmithModule.forRoot tables: 'django-keysmith'; for tables of " +
            "nestjs-keysmith's own beside them, the data source's entityPrefix, or another schema on PostgreSQL. See " +
            '"Moving from django-keysmith" in the README.',
        );
      } finally {
        if (source.isInitialized) await source.destroy();
      }
      expect(await djangoTables(django)).toEqual(before);
    });

    it('refuse the migrations, which change none of them', async () => {
      const source = await new DataSource({ ...django.options, migrations: KEYSMITH_MIGRATIONS }).initialize();
      try {
        await expect(source.runMigrations()).rejects.toThrow(
          "The nestjs-keysmith migrations cannot run here: keysmith_token is django-keysmith's table",
        );
      } finally {
        await source.destroy();
      }
      expect(await djangoTables(django)).toEqual(before);
    });

    it("leave room for nestjs-keysmith's own tables beside them under an entityPrefix", async () => {
      const source = await new DataSource({
        ...django.options,
        entityPrefix: 'nest_',
        migrations: KEYSMITH_MIGRATIONS,
        entities: KEYSMITH_ENTITIES,
      }).initialize();
      try {
        await source.runMigrations();
        const keysmith = await createStandaloneKeysmith(source, { hasher: 'pbkdf2_sha512' });
        const { rawToken } = await keysmith.tokens.create({ name: 'beside django' });
        expect((await keysmith.tokens.authenticate(rawToken)).name).toBe('beside django');
        await keysmith.close();
        for (let undone = 0; undone < KEYSMITH_MIGRATIONS.length; undone++) await source.undoLastMigration();
      } finally {
        await source.destroy();
      }
      expect(await djangoTables(django)).toEqual(before);
    });
  },
);
