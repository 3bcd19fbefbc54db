// Django writes naive UTC on SQLite, which TypeORM would read as local time: the whole file runs
// in a zone far from UTC (and with half an hour in its offset), so that any such misreading fails.
process.env.TZ = 'Asia/Kolkata';

import { Controller, Get, UseGuards, type INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AuditLogService,
  DJANGO_KEYSMITH_ENTITIES,
  KeysmithConfigurationError,
  KeysmithGuard,
  KeysmithModule,
  KeysmithScopes,
  KeysmithValidationError,
  TokenService,
  parseToken,
  type KeysmithModuleOptions,
} from '../../lib/index.js';
import { djangoFamilyOf, djangoVerifies, fixtureTokens, loadDjangoDatabase, type Role } from './django-database.js';

const SUITE = 'django_tables';
const DJANGO_OPTIONS: KeysmithModuleOptions = { hasher: 'pbkdf2_sha512', tokenPrefix: 'tok' };

@Controller()
@UseGuards(KeysmithGuard)
class ScopedController {
  @Get('any')
  any(): string {
    return 'any';
  }

  @Get('read')
  @KeysmithScopes('read')
  read(): string {
    return 'read';
  }

  @Get('write')
  @KeysmithScopes('write')
  write(): string {
    return 'write';
  }
}

/** A datetime as Django stored it: a `Date` from PostgreSQL and MariaDB, naive UTC text (six fractional digits) from SQLite. */
function instantOf(stored: unknown): Date {
  if (stored instanceof Date) return stored;
  const [date, time] = String(stored).split(' ');
  return new Date(`${date}T${time.slice(0, 12)}Z`);
}

/** The status an application answers a guarded request with this raw token (and these headers). */
async function statusAt(url: string, path: string, raw: string, headers: Record<string, string> = {}): Promise<number> {
  return (await fetch(`${url}/${path}`, { headers: { 'x-keysmith-token': raw, ...headers } })).status;
}

interface DjangoApp {
  app: INestApplication;
  url: string;
  tokens: TokenService;
  audit: AuditLogService;
}

/** How an application registers the module: `forRoot` with `autoLoadEntities`, or `forRootAsync` with the entities listed. */
type Registration = 'forRoot' | 'forRootAsync';

async function startDjangoApp(
  connection: DataSourceOptions,
  options: KeysmithModuleOptions = DJANGO_OPTIONS,
  registration: Registration = 'forRoot',
): Promise<DjangoApp> {
  const imports =
    registration === 'forRoot'
      ? [
          TypeOrmModule.forRoot({ ...connection, autoLoadEntities: true, retryAttempts: 0 }),
          KeysmithModule.forRoot({ ...options, tables: 'django-keysmith' }),
        ]
      : [
          TypeOrmModule.forRoot({ ...connection, entities: DJANGO_KEYSMITH_ENTITIES, retryAttempts: 0 }),
          KeysmithModule.forRootAsync({ tables: 'django-keysmith', useFactory: () => options }),
        ];
  const moduleRef = await Test.createTestingModule({ imports, controllers: [ScopedController] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  app.set('trust proxy', true);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, tokens: app.get(TokenService), audit: app.get(AuditLogService) };
}

describe.each(inject('databases').filter((database) => ['postgres', 'sqlite-file', 'mariadb'].includes(database)))(
  "tables: 'django-keysmith' on %s",
  (database) => {
    const family = djangoFamilyOf(database);
    const fixture = fixtureTokens(family);
    let connection: DataSourceOptions;
    let django: DataSource;
    let keysmith: DjangoApp;

    const status = (path: string, raw: string) => statusAt(keysmith.url, path, raw);
    const placeholder = family === 'postgres' ? '$1' : '?';
    const tokenRow = async (prefix: string): Promise<Record<string, unknown>> => {
      const rows: Record<string, unknown>[] = await django.query(`SELECT * FROM keysmith_token WHERE prefix = ${placeholder}`, [prefix]);
      return rows[0];
    };
    const tokenCount = async (): Promise<number> => {
      const rows: { count: number | string }[] = await django.query('SELECT COUNT(*) AS count FROM keysmith_token');
      return Number(rows[0].count);
    };
    /** The token's id as Django keeps it: 32 hex digits on SQLite and MariaDB, a uuid on PostgreSQL. */
    const storedId = (id: string) => (family === 'postgres' ? id : id.replaceAll('-', ''));

    let started: number;

    beforeAll(async () => {
      connection = await loadDjangoDatabase(database, SUITE);
      django = await new DataSource(connection).initialize();
      started = Date.now();
      keysmith = await startDjangoApp(connection);
    });

    afterAll(async () => {
      await keysmith?.app.close();
      await django?.destroy();
    });

    it('answers every token of the fixture as django-keysmith does, scopes from keysmith_token_scopes', async () => {
      const answers: Record<string, number[]> = {};
      for (const role of [
        'valid',
        'scoped_read',
        'scoped_write',
        'expired',
        'revoked',
        'purged',
        'rotated',
        'no_expiry_system',
      ] as Role[]) {
        const raw = fixture[role].raw;
        answers[role] = [await status('any', raw), await status('read', raw), await status('write', raw)];
      }
      answers.rotated_new = [await status('any', fixture.rotated.new_raw!)];
      expect(answers).toEqual({
        valid: [200, 403, 403],
        scoped_read: [200, 200, 403],
        scoped_write: [200, 403, 200],
        expired: [401, 401, 401],
        revoked: [401, 401, 401],
        purged: [401, 401, 401],
        rotated: [401, 401, 401],
        no_expiry_system: [200, 403, 403],
        rotated_new: [200],
      });
    });

    it('registers with forRootAsync and DJANGO_KEYSMITH_ENTITIES as well, tables beside the factory', async () => {
      const other = await startDjangoApp(connection, DJANGO_OPTIONS, 'forRootAsync');
      try {
        const answer = (path: string, raw: string) => statusAt(other.url, path, raw);
        expect([await answer('read', fixture.scoped_read.raw), await answer('write', fixture.scoped_read.raw)]).toEqual([200, 403]);
        expect(await answer('any', fixture.revoked.raw)).toBe(401);
      } finally {
        await other.app.close();
      }
    });

    it("reads django's rows as they are: ids, integer user ids and UTC datetimes", async () => {
      const token = await keysmith.tokens.get(fixture.scoped_read.id);
      expect(token).toMatchObject({
        id: fixture.scoped_read.id,
        prefix: fixture.scoped_read.prefix,
        userId: '1',
        createdById: null,
        scopes: ['read'],
        tokenType: 'user',
        disabled: false,
        metadata: null,
        allowedIps: null,
        rateLimit: null,
      });
      expect(token.state).toBe('active');
      const row = await tokenRow(fixture.scoped_read.prefix);
      expect(token.createdAt.toISOString()).toBe(instantOf(row.created_at).toISOString());
      if (family !== 'postgres') expect(token.createdAt.toISOString()).toBe('2026-11-30T16:01:17.835Z');
      expect((await keysmith.tokens.get(fixture.no_expiry_system.prefix)).expiresAt).toBeNull();
    });

    it("writes lastUsedAt and audit rows in django's columns, with its error codes", async () => {
      expect(await status('any', fixture.valid.raw)).toBe(200);
      expect(await status('any', fixture.revoked.raw)).toBe(401);
      expect(await status('any', fixture.expired.raw)).toBe(401);
      expect(await status('any', `${fixture.valid.prefix}:${'x'.repeat(32)}`)).toBe(401);
      await keysmith.tokens.flushLastUsed();
      await keysmith.audit.flush();

      // Written by this application: the earlier tests' use of the token when it is within
      // lastUsedIntervalSeconds of this one (then this use is not written again).
      const lastUsed = (await keysmith.tokens.get(fixture.valid.id)).lastUsedAt!;
      expect(lastUsed.getTime()).toBeGreaterThanOrEqual(started);
      expect(lastUsed.getTime()).toBeLessThanOrEqual(Date.now());
      const rows: { token_id: string | null; action: string; path: string; method: string; status_code: number; extra: unknown }[] =
        await django.query(
          "SELECT token_id, action, path, method, status_code, extra FROM keysmith_token_audit_log WHERE action IN ('auth_success', 'auth_failed') ORDER BY id",
        );
      const seen = rows.map((row) => ({
        token: row.token_id,
        action: row.action,
        path: row.path,
        method: row.method,
        status: Number(row.status_code),
        code: ((typeof row.extra === 'string' ? JSON.parse(row.extra) : row.extra) as { error_code?: string }).error_code ?? null,
      }));
      expect(seen).toEqual(
        expect.arrayContaining([
          { token: storedId(fixture.valid.id), action: 'auth_success', path: '/any', method: 'GET', status: 200, code: null },
          { token: storedId(fixture.revoked.id), action: 'auth_failed', path: '/any', method: 'GET', status: 401, code: 'revokedtoken' },
          { token: storedId(fixture.expired.id), action: 'auth_failed', path: '/any', method: 'GET', status: 401, code: 'expiredtoken' },
          { token: null, action: 'auth_failed', path: '/any', method: 'GET', status: 401, code: 'invalidtoken' },
        ]),
      );
    });

    it('writes no address rather than one that is not an IP, keeping the rest of the batch', async () => {
      const from = (forwardedFor: string) =>
        statusAt(keysmith.url, 'any', fixture.no_expiry_system.raw, { 'x-forwarded-for': forwardedFor });
      const sent = ['not-an-address', '203.0.113.9', 'fe80::1%eth0', `2001:db8::1%${'x'.repeat(40)}`];
      for (const forwardedFor of sent) expect(await from(forwardedFor)).toBe(200);
      await keysmith.audit.flush();
      const rows: { ip_address: string | null }[] = await django.query(
        `SELECT ip_address FROM keysmith_token_audit_log WHERE token_id = ${placeholder} AND action = 'auth_success' ORDER BY id`,
        [storedId(fixture.no_expiry_system.id)],
      );
      expect(rows.slice(-sent.length).map((row) => row.ip_address)).toEqual([null, '203.0.113.9', null, null]);
    });

    it('creates tokens in the shape django-keysmith reads, scopes as keysmith_token_scopes rows', async () => {
      const { token, rawToken } = await keysmith.tokens.create({ name: 'made in nest', userId: '1', createdBy: '1', scopes: ['write'] });
      const row = await tokenRow(token.prefix);
      expect(row.prefix).toHaveLength(fixture.valid.prefix.length);
      expect(String(row.id)).toBe(storedId(token.id));
      expect(Number(row.user_id)).toBe(1);
      expect(Number(row.created_by_id)).toBe(1);
      expect(djangoVerifies(parseToken(rawToken).secret, String(row.key))).toBe(true);
      // Django's SQLite text: naive UTC, which its parser reads with 3 fractional digits as with 6.
      if (family === 'sqlite') expect(row.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
      expect(instantOf(row.created_at).getTime()).toBe(token.createdAt.getTime());
      const links: { codename: string }[] = await django.query(
        `SELECT permission.codename AS codename FROM keysmith_token_scopes link JOIN auth_permission permission ON permission.id = link.permission_id WHERE link.token_id = ${placeholder}`,
        [row.id],
      );
      expect(links.map((link) => link.codename)).toEqual(['write']);

      expect([await status('any', rawToken), await status('read', rawToken), await status('write', rawToken)]).toEqual([200, 403, 200]);
      expect(await keysmith.tokens.get(token.id)).toMatchObject({ scopes: ['write'], userId: '1', name: 'made in nest' });
    });

    it("rotates (same id and prefix), revokes and purges in django-keysmith's columns", async () => {
      const { token, rawToken } = await keysmith.tokens.create({ name: 'lifecycle', userId: '1' });
      const rotated = await keysmith.tokens.rotate(token.id);
      expect(parseToken(rotated).prefix).toBe(token.prefix);
      expect([await status('any', rawToken), await status('any', rotated)]).toEqual([401, 200]);
      expect(djangoVerifies(parseToken(rotated).secret, String((await tokenRow(token.prefix)).key))).toBe(true);

      await keysmith.tokens.update(token.id, { name: 'renamed', expiresAt: new Date(Date.now() + 86_400_000) });
      expect((await tokenRow(token.prefix)).name).toBe('renamed');
      expect((await keysmith.tokens.list({ active: true, search: 'renamed' })).map((listed) => listed.id)).toEqual([token.id]);

      await keysmith.tokens.revoke(token.id);
      expect(Boolean(Number((await tokenRow(token.prefix)).revoked))).toBe(true);
      expect(await status('any', rotated)).toBe(401);
      await keysmith.tokens.purge(token.id);
      const purged = await tokenRow(token.prefix);
      expect([Boolean(Number(purged.revoked)), Boolean(Number(purged.purged))]).toEqual([true, true]);
      expect((await keysmith.tokens.get(token.prefix)).state).toBe('purged');

      await keysmith.audit.flush();
      const actions: { action: string }[] = await django.query(
        `SELECT action FROM keysmith_token_audit_log WHERE token_id = ${placeholder} ORDER BY id`,
        [storedId(token.id)],
      );
      expect(actions.map((row) => row.action)).toEqual(expect.arrayContaining(['created', 'rotated', 'revoked']));
    });

    it("revokes a user's tokens with revokeMany, leaving the others", async () => {
      await django
        .createQueryBuilder()
        .insert()
        .into('auth_user')
        .values({
          id: 2,
          password: '',
          is_superuser: false,
          username: 'offboarded',
          first_name: '',
          last_name: '',
          email: '',
          is_staff: false,
          is_active: true,
          date_joined: new Date(),
        })
        .execute();
      const made = [
        await keysmith.tokens.create({ name: 'leaving 1', userId: '2' }),
        await keysmith.tokens.create({ name: 'leaving 2', userId: '2', scopes: ['read'] }),
      ];
      expect(await keysmith.tokens.revokeMany({ userId: '2' })).toBe(2);
      expect(await Promise.all(made.map(({ rawToken }) => status('any', rawToken)))).toEqual([401, 401]);
      expect(await status('any', fixture.valid.raw)).toBe(200);
    });

    it("refuses, naming the field, what django-keysmith's tables cannot hold, and writes nothing", async () => {
      const tokensBefore = await tokenCount();
      const refusal = (promise: Promise<unknown>) =>
        promise.then(
          () => 'resolved',
          (error: unknown) => error,
        );
      const cases = {
        scopes: () => keysmith.tokens.create({ name: 'x', scopes: ['delete'] }),
        userId: () => keysmith.tokens.create({ name: 'x', userId: 'alice' }),
        createdBy: () => keysmith.tokens.create({ name: 'x', createdBy: '999' }),
        metadata: () => keysmith.tokens.create({ name: 'x', metadata: { team: 'a' } }),
        allowedIps: () => keysmith.tokens.create({ name: 'x', allowedIps: ['10.0.0.0/8'] }),
        rateLimit: () => keysmith.tokens.create({ name: 'x', rateLimit: { limit: 1, windowSeconds: 1 } }),
        quota: () => keysmith.tokens.create({ name: 'x', quota: { remaining: 10 } }),
        graceSeconds: () => keysmith.tokens.rotate(fixture.valid.id, { graceSeconds: 60 }),
        scope: () => keysmith.tokens.list({ scope: 'read' }),
      };
      for (const [field, attempt] of Object.entries(cases)) {
        const error = await refusal(attempt());
        expect(error, field).toBeInstanceOf(KeysmithValidationError);
        expect((error as KeysmithValidationError).field, field).toBe(field);
      }
      expect(await refusal(keysmith.tokens.update(fixture.valid.id, { scopes: ['write'] }))).toMatchObject({ field: 'scopes' });
      expect(await refusal(keysmith.tokens.disable(fixture.valid.id))).toBeInstanceOf(KeysmithValidationError);
      expect(await refusal(keysmith.tokens.enable(fixture.valid.id))).toBeInstanceOf(KeysmithValidationError);
      expect(await refusal(keysmith.tokens.usage(fixture.valid.id))).toBeInstanceOf(KeysmithValidationError);
      expect(await tokenCount()).toBe(tokensBefore);
      expect(await status('any', fixture.valid.raw)).toBe(200);
    });

    it.each<[string, KeysmithModuleOptions]>([
      ['hasher', { hasher: 'bcrypt' }],
      ['tokenPrefix', { tokenPrefix: 'acme' }],
      ['expiryWarnings', { expiryWarnings: { daysBefore: [7] } }],
      ['auditRetentionDays', { auditRetentionDays: 30 }],
      ['usageRetentionDays', { usageRetentionDays: 30 }],
      ['defaultRateLimit', { defaultRateLimit: { limit: 10, windowSeconds: 60 } }],
      ['auditRequests', { auditRequests: 'failures' }],
    ])("stops at startup on %s, which django-keysmith's tables cannot serve", async (option, options) => {
      const error = await startDjangoApp(connection, { ...DJANGO_OPTIONS, ...options }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KeysmithConfigurationError);
      expect((error as KeysmithConfigurationError).option).toBe(option);
    });

    it("stops at startup with synchronize on, leaving django-keysmith's tables as they were", async () => {
      const columns = async () => {
        const queryRunner = django.createQueryRunner();
        try {
          return (await queryRunner.getTable('keysmith_token'))?.columns.map((column) => `${column.name} ${column.type}`);
        } finally {
          await queryRunner.release();
        }
      };
      const before = await columns();
      const error = await startDjangoApp({ ...connection, synchronize: true }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KeysmithConfigurationError);
      expect((error as KeysmithConfigurationError).option).toBe('tables');
      expect(await columns()).toEqual(before);
    });

    // django-keysmith's migration 0003 widens `prefix` to 255 characters; SQLite cannot alter a
    // column's type. The last test of the database: it leaves the column wide.
    if (family !== 'sqlite') {
      it('takes a longer tokenPrefix once the prefix column is wide enough for it', async () => {
        await django.query(
          family === 'postgres'
            ? 'ALTER TABLE keysmith_token ALTER COLUMN prefix TYPE varchar(255)'
            : 'ALTER TABLE keysmith_token MODIFY prefix varchar(255) NOT NULL',
        );
        const wide = await startDjangoApp(connection, { ...DJANGO_OPTIONS, tokenPrefix: 'acme' });
        try {
          const { rawToken } = await wide.tokens.create({ name: 'longer namespace' });
          expect(parseToken(rawToken).prefix).toMatch(/^acme_/);
          expect(await statusAt(wide.url, 'any', rawToken)).toBe(200);
        } finally {
          await wide.app.close();
        }
      });
    }
  },
);
