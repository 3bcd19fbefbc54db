import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildToken } from '../../lib/index.js';
import { SlowCountingHasher } from '../support/slow-counting-hasher.js';
import { startTestApp, type AppVariant, type TestApp } from '../support/test-app.js';

const WRONG_SECRET = 'W'.repeat(32);
const outcomeOf = (authenticating: Promise<unknown>) =>
  authenticating.then(
    () => 'accepted',
    () => 'refused',
  );

const CASES = (['forRoot', 'forRootAsync'] as const).flatMap((registration) =>
  [1, 4].map((hashConcurrency) => ({ registration, hashConcurrency })),
);

describe.each(CASES)('hashConcurrency $hashConcurrency through KeysmithModule.$registration', ({ registration, hashConcurrency }) => {
  const variant: AppVariant = { database: 'sqlite-memory', adapter: 'express', registration };
  const hasher = new SlowCountingHasher();
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ suite: 'hash-concurrency', variant, keysmith: { hasher, hashConcurrency, cacheTtlSeconds: 0 } });
  });
  afterAll(() => app?.close());

  /** With a limit of 1 no two hasher calls overlap; with a higher one they do, up to the limit. */
  function expectAtMostTheLimitAtOnce(): void {
    if (hashConcurrency === 1) expect(hasher.mostRunning).toBe(1);
    else {
      expect(hasher.mostRunning).toBeGreaterThan(1);
      expect(hasher.mostRunning).toBeLessThanOrEqual(hashConcurrency);
    }
  }

  it('creates tokens concurrently, hashing at most hashConcurrency secrets at once', async () => {
    hasher.mostRunning = 0;
    const created = await Promise.all(Array.from({ length: 6 }, (_, i) => app.tokens.create({ name: `created-${i}` })));
    expect(new Set(created.map(({ token }) => token.prefix)).size).toBe(6);
    expectAtMostTheLimitAtOnce();
  });

  it('verifies valid tokens, wrong secrets and unknown prefixes concurrently, at most hashConcurrency at once', async () => {
    const created = await Promise.all(Array.from({ length: 3 }, (_, i) => app.tokens.create({ name: `verified-${i}` })));
    hasher.mostRunning = 0;
    const verificationsBefore = hasher.verifications;

    const outcomes = await Promise.all([
      ...created.map(({ rawToken }) => outcomeOf(app.tokens.authenticate(rawToken))),
      ...created.map(({ token }) => outcomeOf(app.tokens.authenticate(buildToken(token.prefix, WRONG_SECRET)))),
      // Unknown prefixes verify against the decoy, which the first of them also has to hash.
      ...['unknown1', 'unknown2', 'unknown3'].map((id) => outcomeOf(app.tokens.authenticate(buildToken(`tok_${id}`, WRONG_SECRET)))),
    ]);

    expect(outcomes).toEqual([...new Array<string>(3).fill('accepted'), ...new Array<string>(6).fill('refused')]);
    expect(hasher.verifications - verificationsBefore).toBe(9);
    expectAtMostTheLimitAtOnce();
  });
});
