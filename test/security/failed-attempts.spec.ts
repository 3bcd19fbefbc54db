import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildToken } from '../../lib/index.js';
import { databaseVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { SlowCountingHasher } from '../support/slow-counting-hasher.js';
import { GuardedApiController } from '../e2e/fixtures/guard-controllers.js';
import { MESSAGES, call } from '../e2e/fixtures/guard-http.js';

const LIMIT = 5;
const SHARED_ADDRESS = '127.0.0.5';
const wrongSecret = (n: number) => `Wrong${String(n).padStart(27, '0')}`;

describe.each(databaseVariants())('the failed-attempts limit on $database', (variant) => {
  const hasher = new SlowCountingHasher(20);
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      suite: 'security-failed-attempts',
      variant,
      keysmith: { hasher, failedAttemptsLimit: LIMIT },
      controllers: [GuardedApiController],
    });
  });
  afterAll(() => app?.close());

  it('never refuses a secret already proven, even from an address that sent wrong ones (one NAT, one proxy)', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'behind-nat' });
    expect((await call(app, '/api/health', { token: rawToken, from: SHARED_ADDRESS })).status).toBe(200);
    for (let i = 0; i < LIMIT; i++) {
      expect((await call(app, '/api/health', { token: buildToken(token.prefix, wrongSecret(i)), from: SHARED_ADDRESS })).status).toBe(401);
    }
    const refused = await call(app, '/api/health', { token: buildToken(token.prefix, wrongSecret(99)), from: SHARED_ADDRESS });
    expect(refused.status).toBe(429);
    expect(refused.body.message).toBe(MESSAGES.rateLimited);

    expect((await call(app, '/api/health', { token: rawToken, from: SHARED_ADDRESS })).status).toBe(200);
  });

  it('holds under concurrency: 60 wrong guesses at once from one address run at most the limit of verifications', async () => {
    const { token } = await app.tokens.create({ name: 'guessed-at-once' });
    const before = hasher.verifications;
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        call(app, '/api/health', { token: buildToken(token.prefix, wrongSecret(i)), from: '127.0.0.6' }),
      ),
    );
    expect(hasher.verifications - before).toBeLessThanOrEqual(LIMIT);
    expect(replies.filter((reply) => reply.status === 401)).toHaveLength(LIMIT);
    expect(replies.filter((reply) => reply.status === 429)).toHaveLength(60 - LIMIT);
  });
});
