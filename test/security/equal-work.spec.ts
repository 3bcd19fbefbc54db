import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthError } from '../../lib/index.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from '../e2e/fixtures/guard-controllers.js';
import { call } from '../e2e/fixtures/guard-http.js';
import { CountingHmacHasher } from './fixtures/counting-hasher.js';
import { withChecksum } from './fixtures/header-values.js';

const randomSecret = () =>
  randomBytes(24)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, 'x')
    .slice(0, 32);
const randomPrefix = () => `tok_${randomSecret().slice(0, 8)}`;
const wrongSecretFor = (prefix: string) => withChecksum(`${prefix}:${randomSecret()}`);
const badChecksumOf = (rawToken: string) =>
  `${rawToken.slice(0, -6)}${String((Number(rawToken.slice(-6)) + 1) % 1_000_000).padStart(6, '0')}`;

interface Attempt {
  kind: string;
  /** The header value, made fresh for each try. */
  value(app: TestApp): Promise<string>;
  /** Hash verifications it must cost. */
  verifications: 0 | 1;
  status: 200 | 401;
}

const created = async (app: TestApp, change?: 'revoke' | 'purge', expiresAt?: Date) => {
  const { token, rawToken } = await app.tokens.create({ name: 'equal-work', ...(expiresAt ? { expiresAt } : {}) });
  if (change) await app.tokens[change](token.id);
  return { prefix: token.prefix, rawToken };
};
const past = () => new Date(Date.now() - 60_000);

const ATTEMPTS: Attempt[] = [
  { kind: 'a valid token', value: async (app) => (await created(app)).rawToken, verifications: 1, status: 200 },
  { kind: 'an unknown prefix', value: () => Promise.resolve(wrongSecretFor(randomPrefix())), verifications: 1, status: 401 },
  {
    kind: 'a known prefix with a wrong secret',
    value: async (app) => wrongSecretFor((await created(app)).prefix),
    verifications: 1,
    status: 401,
  },
  { kind: 'a revoked token', value: async (app) => (await created(app, 'revoke')).rawToken, verifications: 1, status: 401 },
  {
    kind: 'a revoked token with a wrong secret',
    value: async (app) => wrongSecretFor((await created(app, 'revoke')).prefix),
    verifications: 1,
    status: 401,
  },
  { kind: 'a purged token', value: async (app) => (await created(app, 'purge')).rawToken, verifications: 1, status: 401 },
  { kind: 'an expired token', value: async (app) => (await created(app, undefined, past())).rawToken, verifications: 1, status: 401 },
  {
    kind: 'an expired token with a wrong secret',
    value: async (app) => wrongSecretFor((await created(app, undefined, past())).prefix),
    verifications: 1,
    status: 401,
  },
  { kind: 'a bad checksum', value: async (app) => badChecksumOf((await created(app)).rawToken), verifications: 0, status: 401 },
  { kind: 'a malformed value', value: () => Promise.resolve(`tok_${'_:'.repeat(40)}`), verifications: 0, status: 401 },
];

describe.each(databaseVariants())('the hash work of a refusal on $database', (variant) => {
  const hasher = new CountingHmacHasher();
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      suite: 'security-equal-work',
      variant,
      controllers: [GuardedApiController],
      keysmith: { hasher, cacheTtlSeconds: 0, failedAttemptsLimit: 0 },
    });
    await app.tokens.authenticate(wrongSecretFor(randomPrefix())).catch(() => undefined);
  });
  afterAll(() => app?.close());

  async function workOf(send: () => Promise<unknown>) {
    const before = { hashes: hasher.hashes, verifications: hasher.verifications };
    await send();
    return { hashes: hasher.hashes - before.hashes, verifications: hasher.verifications - before.verifications };
  }

  it.each(ATTEMPTS)(`$kind costs $verifications verification through authenticate() (${variantName(variant)})`, async (attempt) => {
    const value = await attempt.value(app);
    const work = await workOf(() =>
      app.tokens.authenticate(value).then(
        () => expect(attempt.status).toBe(200),
        (error: unknown) => expect(error).toBeInstanceOf(TokenAuthError),
      ),
    );
    expect(work).toEqual({ hashes: 0, verifications: attempt.verifications });
  });

  it.each(ATTEMPTS)('$kind costs $verifications verification through the guard', async (attempt) => {
    const value = await attempt.value(app);
    const work = await workOf(async () => expect((await call(app, '/api/health', { token: value })).status).toBe(attempt.status));
    expect(work).toEqual({ hashes: 0, verifications: attempt.verifications });
  });
});

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.floor((sorted.length - 1) / 2)] + sorted[Math.ceil((sorted.length - 1) / 2)]) / 2;
};

describe(`the time of a refusal (${variantName(databaseVariants()[0])})`, () => {
  const ROUNDS = 30;
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      suite: 'security-equal-time',
      variant: databaseVariants()[0],
      keysmith: { hasher: 'pbkdf2_sha512', pbkdf2Iterations: 15_000, cacheTtlSeconds: 0, failedAttemptsLimit: 0 },
    });
  });
  afterAll(() => app?.close());

  it(
    'is the same for an unknown prefix and a wrong secret; a bad checksum, with no hash, is far quicker',
    { timeout: 60_000 },
    async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'timed' });
      const makers: Record<string, () => string> = {
        unknown: () => wrongSecretFor(randomPrefix()),
        wrong: () => wrongSecretFor(token.prefix),
        checksum: () => badChecksumOf(rawToken),
      };
      const times: Record<string, number[]> = { unknown: [], wrong: [], checksum: [] };
      await app.tokens.authenticate(makers.unknown()).catch(() => undefined);
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? ['unknown', 'wrong', 'checksum'] : ['checksum', 'wrong', 'unknown'];
        for (const kind of order) {
          const value = makers[kind]();
          const start = performance.now();
          await app.tokens.authenticate(value).catch(() => undefined);
          times[kind].push(performance.now() - start);
        }
      }
      const medians = Object.fromEntries(Object.entries(times).map(([kind, samples]) => [kind, median(samples)]));
      console.log(
        `[equal work] median over ${ROUNDS} tries: unknown prefix ${medians.unknown.toFixed(2)} ms, wrong secret ${medians.wrong.toFixed(2)} ms, ` +
          `bad checksum ${medians.checksum.toFixed(3)} ms`,
      );
      expect(medians.unknown / medians.wrong).toBeGreaterThan(2 / 3);
      expect(medians.unknown / medians.wrong).toBeLessThan(3 / 2);
      expect(medians.wrong / medians.checksum).toBeGreaterThan(5);
    },
  );
});
