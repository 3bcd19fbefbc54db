import { Controller, Get, Injectable, Module, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import {
  KEYSMITH_ENTITIES,
  KEYSMITH_OPTIONS,
  KeysmithGuard,
  KeysmithModule,
  KeysmithToken,
  TokenService,
  type KeysmithModuleOptions,
  type ResolvedKeysmithOptions,
  type Token,
} from '../../lib/index.js';

const sqlite = { type: 'better-sqlite3', database: ':memory:', synchronize: true, retryAttempts: 0 } as const;

@Controller()
@UseGuards(KeysmithGuard)
class WhoAmIController {
  @Get('whoami')
  whoami(@KeysmithToken() token: Token) {
    return { prefix: token.prefix };
  }
}

@Module({ controllers: [WhoAmIController] })
class FeatureModule {}

@Injectable()
class KeysmithConfig {
  createKeysmithOptions(): KeysmithModuleOptions {
    return { tokenPrefix: 'cls', bcryptRounds: 4 };
  }
}

async function call(app: { getUrl(): Promise<string> }, rawToken: string): Promise<number> {
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return (await fetch(`${url}/whoami`, { headers: { 'x-keysmith-token': rawToken } })).status;
}

describe('KeysmithModule registration', () => {
  it('is global by default: a feature module uses the guard without importing the module', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot({ ...sqlite, autoLoadEntities: true }), KeysmithModule.forRoot({ bcryptRounds: 4 }), FeatureModule],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const { rawToken } = await moduleRef.get(TokenService).create({ name: 'global' });
      expect(await call(app, rawToken)).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('with isGlobal: false the guard cannot be resolved outside the importing module', async () => {
    const compiling = Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({ ...sqlite, autoLoadEntities: true }),
        KeysmithModule.forRoot({ bcryptRounds: 4, isGlobal: false }),
        FeatureModule,
      ],
    }).compile();
    await expect(compiling).rejects.toThrow(/KeysmithGuard/);
  });

  it('takes options from a class with forRootAsync({ useClass })', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TypeOrmModule.forRoot({ ...sqlite, autoLoadEntities: true }), KeysmithModule.forRootAsync({ useClass: KeysmithConfig })],
    }).compile();
    expect(moduleRef.get<ResolvedKeysmithOptions>(KEYSMITH_OPTIONS).tokenPrefix).toBe('cls');
    const { rawToken } = await moduleRef.get(TokenService).create({ name: 'from a class' });
    expect(rawToken.startsWith('cls_')).toBe(true);
    await moduleRef.close();
  });

  it('stores tokens on the named data source given as dataSource', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({ ...sqlite, entities: [] }),
        TypeOrmModule.forRoot({ ...sqlite, name: 'auth', entities: KEYSMITH_ENTITIES }),
        KeysmithModule.forRootAsync({ dataSource: 'auth', useFactory: () => ({ bcryptRounds: 4 }) }),
      ],
    }).compile();
    const { token } = await moduleRef.get(TokenService).create({ name: 'on auth' });
    const auth = moduleRef.get<DataSource>(getDataSourceToken('auth'));
    expect(await auth.query('SELECT prefix FROM keysmith_token')).toEqual([{ prefix: token.prefix }]);
    const defaultTables: unknown = await moduleRef
      .get<DataSource>(getDataSourceToken())
      .query("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'keysmith%'");
    expect(defaultTables).toEqual([]);
    await moduleRef.close();
  });

  it('refuses dataSource returned by the async factory, naming where it belongs', async () => {
    const compiling = Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({ ...sqlite, autoLoadEntities: true }),
        KeysmithModule.forRootAsync({ useFactory: () => ({ dataSource: 'auth' }) as KeysmithModuleOptions }),
      ],
    }).compile();
    await expect(compiling).rejects.toThrow(/"dataSource".*beside the factory/);
  });

  it('refuses tables other than its two, naming the extra', () => {
    expect(() => KeysmithModule.forRoot({ tables: 'django' } as unknown as KeysmithModuleOptions)).toThrow(
      'Invalid KeysmithModule option "tables": expected "nestjs-keysmith" or "django-keysmith"; got "django".',
    );
  });

  it("with tables: django-keysmith, stops on a data source without django-keysmith's tables, naming the table", async () => {
    const compiling = Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({ ...sqlite, synchronize: false, autoLoadEntities: true }),
        KeysmithModule.forRoot({ hasher: 'pbkdf2_sha512', tokenPrefix: 'tok', tables: 'django-keysmith' }),
      ],
    }).compile();
    await expect(compiling).rejects.toMatchObject({ name: 'KeysmithSchemaError', table: 'keysmith_token', column: null });
  });
});
