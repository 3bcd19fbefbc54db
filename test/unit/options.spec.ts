import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { describe, expect, it, vi } from 'vitest';
import {
  AUDIT_FAILURE_POLICIES,
  DEFAULT_ERROR_MESSAGES,
  KeysmithConfigurationError,
  KeysmithModule,
  TokenHasher,
  resolveKeysmithOptions,
  type KeysmithModuleOptions,
} from '../../lib/index.js';
import { KEYSMITH_OPTION_TABLE } from '../../lib/options/keysmith-options.table.js';

vi.mock('node:os', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:os')>();
  return { ...actual, availableParallelism: vi.fn(actual.availableParallelism) };
});

const scryptAsync = promisify(scrypt) as (secret: string, salt: Buffer, keyLength: number, options: ScryptOptions) => Promise<Buffer>;

class ScryptHasher extends TokenHasher {
  readonly algorithm: string = 'scrypt';

  async hash(secret: string): Promise<string> {
    const salt = randomBytes(16);
    return `${salt.toString('hex')}$${(await scryptAsync(secret, salt, 32, { N: 1024 })).toString('hex')}`;
  }

  async verify(secret: string, hash: string): Promise<boolean> {
    const [salt, expected] = hash.split('$');
    if (!salt || !expected) return false;
    const actual = await scryptAsync(secret, Buffer.from(salt, 'hex'), 32, { N: 1024 });
    const stored = Buffer.from(expected, 'hex');
    return stored.length === actual.length && timingSafeEqual(stored, actual);
  }
}

class HasherCallingItselfBcrypt extends ScryptHasher {
  override readonly algorithm = 'bcrypt';
}

/** Options as an application might misspell them, past the type checker (a JS app, a JSON config). */
const untyped = (options: Record<string, unknown>) => options as KeysmithModuleOptions;

function configurationErrorOf(options: KeysmithModuleOptions): KeysmithConfigurationError {
  try {
    resolveKeysmithOptions(options);
  } catch (error) {
    expect(error).toBeInstanceOf(KeysmithConfigurationError);
    const configurationError = error as KeysmithConfigurationError;
    expect(configurationError.message).toContain(`"${configurationError.option}"`);
    return configurationError;
  }
  throw new Error(`resolveKeysmithOptions accepted ${JSON.stringify(options)}`);
}

function expectRefused(options: KeysmithModuleOptions, option: string): void {
  expect(configurationErrorOf(options).option).toBe(option);
}

describe('resolveKeysmithOptions defaults', () => {
  const resolved = resolveKeysmithOptions();

  it('reads the token from the x-keysmith-token header, and from no query parameter', () => {
    expect(resolved.header).toBe('x-keysmith-token');
    expect(resolved.allowQueryParam).toBe(false);
    expect(resolved.queryParamName).toBe('keysmith_token');
  });

  it('makes tok_ tokens with 32-character secrets that expire after 90 days', () => {
    expect(resolved.tokenPrefix).toBe('tok');
    expect(resolved.secretLength).toBe(32);
    expect(resolved.defaultExpiryDays).toBe(90);
  });

  it('allows any scope, gives none by default, and audits', () => {
    expect(resolved.availableScopes).toEqual([]);
    expect(resolved.defaultScopes).toEqual([]);
    expect(resolved.auditLogging).toBe(true);
  });

  it('answers with the messages of the contract', () => {
    expect(resolved.errorMessages).toEqual({
      missingToken: 'Authentication credentials were not provided.',
      invalidToken: 'Your session has expired or the token is invalid.',
      insufficientScope: 'You do not have permission to perform this action.',
      ipNotAllowed: 'This token cannot be used from your network address.',
      rateLimited: 'Too many authentication attempts. Try again later.',
    });
    expect(DEFAULT_ERROR_MESSAGES).toEqual(resolved.errorMessages);
  });

  it('has no hooks and no user resolver', () => {
    expect(resolved.rateLimitHook).toBeNull();
    expect(resolved.throttleHook).toBeNull();
    expect(resolved.resolveUser).toBeNull();
  });

  it('hashes with bcrypt at cost 10', async () => {
    expect(await resolved.hashers.hash('Xy7Qp2Lm9Rt4Vw8Zk3Nb6Hc1Jd5Fg0Sa')).toMatch(/^bcrypt\$\$2b\$10\$/);
  });

  it('runs as many hash computations at once as there are CPUs but one, and at least one', () => {
    expect(resolved.hashConcurrency).toBe(Math.max(1, availableParallelism() - 1));
    const withCpus = (cpus: number) => {
      vi.mocked(availableParallelism).mockReturnValueOnce(cpus);
      return resolveKeysmithOptions().hashConcurrency;
    };
    expect(withCpus(8)).toBe(7);
    expect(withCpus(2)).toBe(1);
    expect(withCpus(1)).toBe(1);
  });

  it('caches verified tokens for 60 s (10,000 at most), writes lastUsedAt once a minute and audit rows 100 at a time or every second', () => {
    expect(resolved.cacheTtlMs).toBe(60_000);
    expect(resolved.cacheMaxEntries).toBe(10_000);
    expect(resolved.redis).toBeNull();
    expect(resolved.lastUsedIntervalMs).toBe(60_000);
    expect(resolved.auditBatchSize).toBe(100);
    expect(resolved.auditFlushIntervalMs).toBe(1_000);
    expect(resolved.auditMaxBuffered).toBe(10_000);
  });

  it('serves a request whose audit row cannot be kept', () => {
    expect(resolved.auditOnFailure).toBe('drop');
  });

  it('throttles a client after 10 wrong secrets for one prefix within 300 s', () => {
    expect(resolved.failedAttemptsLimit).toBe(10);
    expect(resolved.failedAttemptsWindowMs).toBe(300_000);
  });

  it('with redis: trusts cached verifications 5 s at most while Redis is unreachable, and lets requests through limits it cannot check', () => {
    expect(resolved.cacheTtlMsWithoutRedis).toBe(5_000);
    expect(resolved.limitsOnRedisError).toBe('allow');
  });

  it('treats an empty options object like no options', () => {
    // Each resolution makes hashers of its own; everything else is equal.
    expect({ ...resolveKeysmithOptions({}), hashers: null }).toEqual({ ...resolved, hashers: null });
  });
});

describe('resolveKeysmithOptions with values', () => {
  it('lowercases the header, as Node presents request headers', () => {
    expect(resolveKeysmithOptions({ header: 'X-API-Key' }).header).toBe('x-api-key');
  });

  it.each([
    [null, null],
    [0, null],
    [30, 30],
    [0.5, 0.5],
  ])('takes defaultExpiryDays %j as %j', (given, expected) => {
    expect(resolveKeysmithOptions({ defaultExpiryDays: given }).defaultExpiryDays).toBe(expected);
  });

  it('accepts secret lengths from 16 to 256 (to 72 with bcrypt), bcrypt cost 4 and 1,000 PBKDF2 iterations', () => {
    expect(resolveKeysmithOptions({ secretLength: 16 }).secretLength).toBe(16);
    expect(resolveKeysmithOptions({ secretLength: 72 }).secretLength).toBe(72);
    expect(resolveKeysmithOptions({ secretLength: 256, hasher: 'pbkdf2_sha512' }).secretLength).toBe(256);
    expect(resolveKeysmithOptions({ secretLength: 256, hasher: 'sha256' }).secretLength).toBe(256);
    expect(() => resolveKeysmithOptions({ bcryptRounds: 4, pbkdf2Iterations: 1_000 })).not.toThrow();
  });

  it('accepts a hashConcurrency from 1 to 1,024', () => {
    expect(resolveKeysmithOptions({ hashConcurrency: 1 }).hashConcurrency).toBe(1);
    expect(resolveKeysmithOptions({ hashConcurrency: 1_024 }).hashConcurrency).toBe(1_024);
  });

  it.each([
    ['cacheTtlSeconds', 'cacheTtlMs', 2, 2_000],
    ['lastUsedIntervalSeconds', 'lastUsedIntervalMs', 0, 0],
    ['failedAttemptsWindowSeconds', 'failedAttemptsWindowMs', 86_400, 86_400_000],
    ['cacheTtlSecondsWithoutRedis', 'cacheTtlMsWithoutRedis', 5, 5_000],
    ['auditFlushIntervalSeconds', 'auditFlushIntervalMs', 0.05, 50],
    ['auditFlushIntervalSeconds', 'auditFlushIntervalMs', 0.001, 1],
    ['auditFlushIntervalSeconds', 'auditFlushIntervalMs', 0.007, 7],
    ['auditFlushIntervalSeconds', 'auditFlushIntervalMs', 60, 60_000],
  ] as const)('takes %s in seconds and holds it as %s in milliseconds: %j s', (option, resolvedName, seconds, milliseconds) => {
    expect(resolveKeysmithOptions({ [option]: seconds })[resolvedName]).toBe(milliseconds);
  });

  it('names every duration option in seconds', () => {
    const names = Object.keys(KEYSMITH_OPTION_TABLE);
    expect(names.filter((name) => /(Ms|Millis|Milliseconds|Minutes|Hours)$/.test(name))).toEqual([]);
    const inSeconds = Object.entries(KEYSMITH_OPTION_TABLE).filter(
      ([, definition]) => 'unit' in definition && definition.unit === 'seconds',
    );
    expect(inSeconds.map(([name]) => name)).toEqual(names.filter((name) => name.includes('Seconds')));
  });

  it.each(AUDIT_FAILURE_POLICIES)('takes auditOnFailure %j', (auditOnFailure) => {
    expect(resolveKeysmithOptions({ auditOnFailure }).auditOnFailure).toBe(auditOnFailure);
  });

  it('keeps the scopes and the messages it is given, over the defaults', () => {
    const resolved = resolveKeysmithOptions({
      availableScopes: ['read', 'write'],
      defaultScopes: ['read'],
      errorMessages: { missingToken: 'Send a token.' },
    });
    expect(resolved.availableScopes).toEqual(['read', 'write']);
    expect(resolved.defaultScopes).toEqual(['read']);
    expect(resolved.errorMessages).toEqual({ ...DEFAULT_ERROR_MESSAGES, missingToken: 'Send a token.' });
  });

  it('keeps the hooks it is given', () => {
    const rateLimitHook = () => undefined;
    const throttleHook = () => undefined;
    const resolveUser = (userId: string) => ({ id: userId });
    const resolved = resolveKeysmithOptions({ rateLimitHook, throttleHook, resolveUser });
    expect(resolved.rateLimitHook).toBe(rateLimitHook);
    expect(resolved.throttleHook).toBe(throttleHook);
    expect(resolved.resolveUser).toBe(resolveUser);
  });

  it('hashes with the built-in hasher it names', async () => {
    const secret = 'Xy7Qp2Lm9Rt4Vw8Zk3Nb6Hc1Jd5Fg0Sa';
    const pbkdf2 = resolveKeysmithOptions({ hasher: 'pbkdf2_sha512', pbkdf2Iterations: 1_000 }).hashers;
    expect(await pbkdf2.hash(secret)).toMatch(/^pbkdf2_sha512\$1000\$/);
    const sha256 = resolveKeysmithOptions({ hasher: 'sha256', sha256Pepper: 'pepper' }).hashers;
    expect(await sha256.hash(secret)).toMatch(/^sha256\$[0-9a-f]{64}$/);
    const bcrypt = resolveKeysmithOptions({ bcryptRounds: 4 }).hashers;
    expect(await bcrypt.hash(secret)).toMatch(/^bcrypt\$\$2b\$04\$/);
  });

  it('hashes with a custom TokenHasher, and still verifies the built-in hashes', async () => {
    const secret = 'Xy7Qp2Lm9Rt4Vw8Zk3Nb6Hc1Jd5Fg0Sa';
    const bcryptStored = await resolveKeysmithOptions({ bcryptRounds: 4 }).hashers.hash(secret);
    const custom = resolveKeysmithOptions({ hasher: new ScryptHasher() }).hashers;
    const stored = await custom.hash(secret);
    expect(stored).toMatch(/^scrypt\$/);
    expect(await custom.verify(secret, stored)).toBe(true);
    expect(await custom.verify(secret, bcryptStored)).toBe(true);
  });
});

describe('resolveKeysmithOptions refuses a bad option with a KeysmithConfigurationError naming it', () => {
  it.each([
    ['an unknown name', 'argon2'],
    ['a misspelt name', 'Bcrypt'],
    ['an empty name', ''],
  ])('hasher: %s', (_case, hasher) => {
    expectRefused(untyped({ hasher }), 'hasher');
  });

  it('hasher: a custom hasher that reuses a built-in name', () => {
    const error = configurationErrorOf({ hasher: new HasherCallingItselfBcrypt() });
    expect(error.option).toBe('hasher');
    expect(error.message).toContain('"bcrypt"');
  });

  const hash = (): Promise<string> => Promise.resolve('x');
  const verify = (): Promise<boolean> => Promise.resolve(true);
  it.each<[string, unknown]>([
    ['without verify', { algorithm: 'scrypt', hash }],
    ['without hash', { algorithm: 'scrypt', verify }],
    ['without an algorithm', { hash, verify }],
    ['with an algorithm containing "$"', { algorithm: 'my$hash', hash, verify }],
    ['with an uppercase algorithm', { algorithm: 'Scrypt', hash, verify }],
    ['that is a class, not an instance', ScryptHasher],
  ])('hasher: a custom hasher %s', (_case, hasher) => {
    expectRefused(untyped({ hasher }), 'hasher');
  });

  it.each([
    ['containing "_"', 'my_app'],
    ['containing ":"', 'my:app'],
    ['empty', ''],
    ['containing a space', 'my app'],
    ['of 33 characters', 'a'.repeat(33)],
    ['not a string', 7],
  ])('tokenPrefix: %s', (_case, tokenPrefix) => {
    expectRefused(untyped({ tokenPrefix }), 'tokenPrefix');
  });

  it.each([15, 257, 16.5, 0, -32, Number.NaN, '32'])('secretLength: %j', (secretLength) => {
    expectRefused(untyped({ secretLength }), 'secretLength');
  });

  it.each([
    [73, {}],
    [128, { hasher: 'bcrypt' }],
    [256, { hasher: 'bcrypt' }],
  ] as const)('secretLength: %i with bcrypt, which checks only the first 72 bytes (%j)', (secretLength, options) => {
    const error = configurationErrorOf({ secretLength, ...options });
    expect(error.option).toBe('secretLength');
    expect(error.message).toContain(`${secretLength} with hasher 'bcrypt', which checks only the first 72 characters`);
  });

  it('defaultScopes: a scope outside availableScopes', () => {
    const error = configurationErrorOf({ availableScopes: ['read'], defaultScopes: ['read', 'admin'] });
    expect(error.option).toBe('defaultScopes');
    expect(error.message).toContain('"admin"');
    expect(error.message).not.toContain('"read"');
  });

  it.each([
    ['availableScopes', { availableScopes: 'read' }],
    ['availableScopes', { availableScopes: ['read', ''] }],
    ['defaultScopes', { defaultScopes: [42] }],
  ])('%s: not a list of non-empty strings', (option, options) => {
    expectRefused(untyped(options), option);
  });

  it.each(['tokenPrefx', 'headers', 'secret_length', 'hashers'])('an unknown option: %s', (option) => {
    const error = configurationErrorOf(untyped({ [option]: 'x' }));
    expect(error.option).toBe(option);
    expect(error.message).toContain('tokenPrefix');
  });

  it.each(['dataSource', 'isGlobal', 'tables'])('%s inside the options, where it shapes nothing', (option) => {
    const error = configurationErrorOf(untyped({ [option]: option === 'isGlobal' ? true : 'default' }));
    expect(error.option).toBe(option);
    expect(error.message).toContain('forRootAsync');
  });

  it('errorMessages: a key that is no message', () => {
    expectRefused(untyped({ errorMessages: { missingTokn: 'Send a token.' } }), 'errorMessages.missingTokn');
  });

  it('errorMessages: an empty message', () => {
    expectRefused(untyped({ errorMessages: { invalidToken: '' } }), 'errorMessages.invalidToken');
  });

  it('errorMessages: not an object', () => {
    expectRefused(untyped({ errorMessages: 'Nope.' }), 'errorMessages');
  });

  it.each(['rateLimitHook', 'throttleHook', 'resolveUser'])('%s: not a function', (option) => {
    expectRefused(untyped({ [option]: 'return false' }), option);
    expectRefused(untyped({ [option]: {} }), option);
  });

  it.each([3, 32, 10.5])('bcryptRounds: %j', (bcryptRounds) => {
    expectRefused({ bcryptRounds }, 'bcryptRounds');
  });

  it.each([0, -1, 1.5, 1_025, Number.NaN, Number.POSITIVE_INFINITY, '2'])('hashConcurrency: %j', (hashConcurrency) => {
    expectRefused(untyped({ hashConcurrency }), 'hashConcurrency');
  });

  it('an unknown option: a misspelt hashConcurrency, with the right name in the message', () => {
    const error = configurationErrorOf(untyped({ hashConcurency: 2 }));
    expect(error.option).toBe('hashConcurency');
    expect(error.message).toContain('hashConcurrency');
  });

  it.each([999, 0, 1000.5])('pbkdf2Iterations: %j', (pbkdf2Iterations) => {
    expectRefused({ pbkdf2Iterations }, 'pbkdf2Iterations');
  });

  it('sha256Pepper: empty', () => {
    expectRefused({ hasher: 'sha256', sha256Pepper: '' }, 'sha256Pepper');
  });

  it.each([-1, Number.POSITIVE_INFINITY, Number.NaN, '90'])('defaultExpiryDays: %j', (defaultExpiryDays) => {
    expectRefused(untyped({ defaultExpiryDays }), 'defaultExpiryDays');
  });

  it.each(['', 'x keysmith token', 'x-keysmith-token:', 'tökén'])('header: %j', (header) => {
    expectRefused({ header }, 'header');
  });

  it('queryParamName: empty', () => {
    expectRefused({ queryParamName: '' }, 'queryParamName');
  });

  it.each(['allowQueryParam', 'auditLogging'])('%s: not a boolean', (option) => {
    expectRefused(untyped({ [option]: 'false' }), option);
  });

  // Each hot-path option with its lowest and highest accepted value.
  const HOT_PATH_RANGES = [
    ['cacheTtlSeconds', 0, 86_400],
    ['cacheTtlSecondsWithoutRedis', 1, 86_400],
    ['cacheMaxEntries', 1, 10_000_000],
    ['lastUsedIntervalSeconds', 0, 86_400],
    ['auditBatchSize', 1, 1_000],
    ['auditMaxBuffered', 1, 10_000_000],
    ['failedAttemptsLimit', 0, 1_000_000],
    ['failedAttemptsWindowSeconds', 1, 86_400],
  ] as const;

  it.each(HOT_PATH_RANGES)('%s: below %j, above %j, a fraction or a string', (option, lowest, highest) => {
    for (const value of [lowest - 1, highest + 1, lowest + 0.5, String(lowest)]) expectRefused(untyped({ [option]: value }), option);
    expect(() => resolveKeysmithOptions(untyped({ [option]: lowest }))).not.toThrow();
    expect(() => resolveKeysmithOptions(untyped({ [option]: highest }))).not.toThrow();
  });

  it.each([0, 0.0009, 60.001, -1, Number.NaN, Number.POSITIVE_INFINITY, '1'])(
    'auditFlushIntervalSeconds: %j',
    (auditFlushIntervalSeconds) => {
      expectRefused(untyped({ auditFlushIntervalSeconds }), 'auditFlushIntervalSeconds');
    },
  );

  it.each(['Allow', 'block', true])('limitsOnRedisError: %j', (limitsOnRedisError) => {
    expect(configurationErrorOf(untyped({ limitsOnRedisError })).message).toContain('"allow" or "deny"');
  });

  it.each(['allow', 'deny'] as const)('takes limitsOnRedisError %j', (limitsOnRedisError) => {
    expect(resolveKeysmithOptions({ limitsOnRedisError }).limitsOnRedisError).toBe(limitsOnRedisError);
  });

  it.each(['Refuse', 'block', true])('auditOnFailure: %j', (auditOnFailure) => {
    expect(configurationErrorOf(untyped({ auditOnFailure })).message).toContain('"drop" or "refuse"');
  });

  it.each([42, 'localhost:6379', { publish: () => 1 }])('redis: %j, neither a redis:// URL nor a client', (redis) => {
    expectRefused(untyped({ redis }), 'redis');
  });

  it('the options themselves: not an object', () => {
    expectRefused(null as unknown as KeysmithModuleOptions, 'options');
  });
});

describe('KeysmithModule with a bad option', () => {
  it('stops the application while it starts, naming the option', async () => {
    const compiling = Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: ':memory:',
          autoLoadEntities: true,
          synchronize: true,
          retryAttempts: 0,
        }),
        KeysmithModule.forRoot({ tokenPrefix: 'bad_prefix' }),
      ],
    }).compile();

    await expect(compiling).rejects.toThrow(KeysmithConfigurationError);
    await expect(compiling).rejects.toThrow(/"tokenPrefix"/);
  });
});
