import { Module, type DynamicModule, type INestApplication, type LoggerService, type Provider, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { inject } from 'vitest';
import { AuditLogService, KeysmithGuard, KeysmithModule, TokenService, type KeysmithModuleOptions } from '../../lib/index.js';
import { databaseOptions, type DatabaseName } from './databases.js';

export type Adapter = 'express' | 'fastify';
export type Registration = 'forRoot' | 'forRootAsync';

export interface AppVariant {
  database: DatabaseName;
  adapter: Adapter;
  registration: Registration;
}

/** Every database of this run × both HTTP adapters × both registration styles. */
export function appVariants(): AppVariant[] {
  return inject('databases').flatMap((database) =>
    (['express', 'fastify'] as const).flatMap((adapter) =>
      (['forRoot', 'forRootAsync'] as const).map((registration) => ({ database, adapter, registration })),
    ),
  );
}

/** One variant per database (Express, `forRoot`), for suites about the service rather than HTTP. */
export function databaseVariants(): AppVariant[] {
  return inject('databases').map((database) => ({ database, adapter: 'express', registration: 'forRoot' }));
}

export const variantName = (variant: AppVariant): string => `${variant.database} · ${variant.adapter} · ${variant.registration}`;

export interface TestAppOptions {
  /** Names the suite's own database on the servers. */
  suite: string;
  variant: AppVariant;
  keysmith?: KeysmithModuleOptions;
  /** Further modules of the app (ThrottlerModule, GraphQLModule, ...). */
  imports?: Array<Type | DynamicModule>;
  controllers?: Type[];
  providers?: Provider[];
  /** Register `KeysmithGuard` as `APP_GUARD`. */
  globalGuard?: boolean;
  /** Trust `X-Forwarded-For` (Express `trust proxy`, Fastify `trustProxy`). */
  trustProxy?: boolean;
  /** `app.setGlobalPrefix(...)`. */
  globalPrefix?: string;
  /** Keep the tables of an earlier app of the same suite (a restart), instead of starting empty. */
  keepSchema?: boolean;
  /** DataSource options on top of the database's own (a `schema`, migrations instead of `synchronize`). */
  dataSource?: Record<string, unknown>;
  /** Keep the raw request body (`rawBody: true` of `NestFactory.create`). */
  rawBody?: boolean;
  /** Called once the app is created, before it listens: a WebSocket adapter, a microservice. */
  configure?: (app: INestApplication) => void | Promise<void>;
}

export interface LogEntry {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: string;
}

/** How many of the entries match `line`. */
export const countLogs = (logs: LogEntry[], line: RegExp): number => logs.filter((entry) => line.test(entry.message)).length;

export interface TestApp {
  app: INestApplication;
  /** Base URL of the app, listening on a real port of 127.0.0.1. */
  url: string;
  tokens: TokenService;
  auditLog: AuditLogService;
  dataSource: DataSource;
  /** Everything the app logged. */
  logs: LogEntry[];
  /** Every SQL statement the app sent, in order. */
  queries: string[];
  close(): Promise<void>;
}

const TEST_CONFIG = Symbol('TEST_CONFIG');

@Module({})
class TestConfigModule {
  static register(config: KeysmithModuleOptions): DynamicModule {
    return { module: TestConfigModule, providers: [{ provide: TEST_CONFIG, useValue: config }], exports: [TEST_CONFIG] };
  }
}

/** The module as an application registers it, in the variant's style. */
export function keysmithModule(registration: Registration, options: KeysmithModuleOptions): DynamicModule {
  if (registration === 'forRoot') return KeysmithModule.forRoot(options);
  return KeysmithModule.forRootAsync({
    imports: [TestConfigModule.register(options)],
    inject: [TEST_CONFIG],
    useFactory: (config: KeysmithModuleOptions) => Promise.resolve(config),
  });
}

/** A Nest application on the adapter, trusting `X-Forwarded-For` and keeping the raw body if asked. */
function createApplication(moduleRef: TestingModule, adapter: Adapter, trustProxy: boolean, rawBody: boolean): INestApplication {
  if (adapter === 'fastify') return moduleRef.createNestApplication(new FastifyAdapter({ trustProxy }), { rawBody });
  const app = moduleRef.createNestApplication<NestExpressApplication>({ rawBody });
  if (trustProxy) app.set('trust proxy', true);
  return app;
}

/** Starts a real application on a real port over a real database. */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const { variant } = options;
  const logs: LogEntry[] = [];
  const queries: string[] = [];
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({
        ...(await databaseOptions(variant.database, options.suite)),
        ...(options.keepSchema ? { dropSchema: false } : {}),
        ...options.dataSource,
        autoLoadEntities: true,
        retryAttempts: 0,
        logger: queryRecorder(queries),
      }),
      keysmithModule(variant.registration, { bcryptRounds: 4, ...options.keysmith }),
      ...(options.imports ?? []),
    ],
    controllers: options.controllers ?? [],
    providers: [...(options.providers ?? []), ...(options.globalGuard ? [{ provide: APP_GUARD, useClass: KeysmithGuard }] : [])],
  }).compile();

  const app = createApplication(moduleRef, variant.adapter, options.trustProxy ?? false, options.rawBody ?? false);
  if (options.globalPrefix) app.setGlobalPrefix(options.globalPrefix);
  app.useLogger(captureLogger(logs));
  app.enableShutdownHooks();
  await options.configure?.(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  return {
    app,
    url,
    tokens: app.get(TokenService),
    auditLog: app.get(AuditLogService),
    dataSource: app.get(DataSource),
    logs,
    queries,
    close: () => app.close(),
  };
}

function queryRecorder(queries: string[]): TypeOrmLogger {
  const ignore = () => undefined;
  return {
    logQuery: (query) => void queries.push(query),
    logQueryError: ignore,
    logQuerySlow: ignore,
    logSchemaBuild: ignore,
    logMigration: ignore,
    log: ignore,
  };
}

function captureLogger(logs: LogEntry[]): LoggerService {
  const capture = (level: LogEntry['level']) => (message: unknown) => {
    logs.push({ level, message: String(message) });
  };
  return {
    log: capture('log'),
    error: capture('error'),
    warn: capture('warn'),
    debug: capture('debug'),
    verbose: capture('verbose'),
    fatal: capture('fatal'),
  };
}
