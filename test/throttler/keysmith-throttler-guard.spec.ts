import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildToken } from '../../lib/index.js';
import { appVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { MESSAGES, auditRowsOf, call, uniqueAgent, type RequestWithHeaders } from '../e2e/fixtures/guard-http.js';
import { LIMIT, throttledApp } from './fixtures/throttled-app.js';
import { SlowCountingHasher } from '../support/slow-counting-hasher.js';

/** Sends `count` requests and returns their statuses. */
async function statuses(app: TestApp, path: string, count: number, token?: string): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i++) result.push((await call(app, path, { token })).status);
  return result;
}

const allowed = Array<number>(LIMIT).fill(200);

describe.each(appVariants().filter((variant) => variant.registration === 'forRoot'))('KeysmithThrottlerGuard on %s', (variant) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ suite: 'throttler-guard', variant, ...throttledApp() });
  });
  afterAll(() => app?.close());

  /** A token that has proved its secret: verified once, so its requests count against it. */
  const provenToken = async (name: string) => {
    const created = await app.tokens.create({ name });
    await app.tokens.authenticate(created.rawToken);
    return created;
  };

  it(`counts each token apart: past ${LIMIT} requests one token gets 429 while another still passes (${variantName(variant)})`, async () => {
    const first = await provenToken('first');
    const second = await provenToken('second');

    expect(await statuses(app, '/api/health', LIMIT, first.rawToken)).toEqual(allowed);
    const blocked = await call(app, '/api/health', { token: first.rawToken });
    expect(blocked.status).toBe(429);
    expect(blocked.body.message).toBe(MESSAGES.rateLimited);

    expect(await statuses(app, '/api/health', LIMIT, second.rawToken)).toEqual(allowed);
    expect((await call(app, '/api/health', { token: second.rawToken })).status).toBe(429);
    expect((await call(app, '/api/health', { token: first.rawToken })).status).toBe(429);
  });

  it('tells the client its limit, and when to come back, in the throttler headers', async () => {
    const { rawToken } = await provenToken('headers');
    const get = () => fetch(`${app.url}/api/health`, { headers: { 'x-keysmith-token': rawToken } });
    const first = await get();
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
    expect(first.headers.get('x-ratelimit-remaining')).toBe(String(LIMIT - 1));
    for (let i = 1; i < LIMIT; i++) await get();
    const refused = await get();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('audits the 429 as auth_failed with error_code rate_limited and the token prefix', async () => {
    const { token, rawToken } = await provenToken('audited');
    await statuses(app, '/api/health', LIMIT, rawToken);
    const agent = uniqueAgent('throttled');
    expect((await call(app, '/api/health', { token: rawToken, agent })).status).toBe(429);

    const rows = await auditRowsOf(app, agent);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'auth_failed',
      tokenId: null,
      statusCode: 429,
      path: '/api/health',
      method: 'GET',
      extra: { error_code: 'rate_limited', reason: 'throttler', prefix: token.prefix },
    });
  });

  it('counts wrong secrets by client address: guesses use up the guesser, not the token', async () => {
    const { token, rawToken } = await provenToken('guessed');
    const guess = buildToken(token.prefix, 'GuessGuessGuessGuessGuessGuess42');
    const guesser = '127.0.0.3';
    const guesses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) guesses.push((await call(app, '/api/health', { token: guess, from: guesser })).status);
    expect(guesses).toEqual([...Array<number>(LIMIT).fill(401), 429, 429]);
    const blocked = await call(app, '/api/health', { token: guess, from: guesser });
    expect(blocked.body.message).toBe(MESSAGES.rateLimited);
    expect((await call(app, '/api/health', { token: rawToken, from: guesser })).status).toBe(200);
  });

  it("verifies a token's first request itself and counts it against the token, verified once", async () => {
    const { rawToken } = await app.tokens.create({ name: 'cold' });
    const tokenLookups = () =>
      app.queries.filter((query) => /^\s*SELECT/i.test(query) && /FROM [`"]?keysmith_token[`"]? /i.test(query)).length;
    const before = tokenLookups();
    expect(await statuses(app, '/api/health', LIMIT, rawToken)).toEqual(allowed);
    expect((await call(app, '/api/health', { token: rawToken })).status).toBe(429);
    expect(tokenLookups() - before).toBe(1);
  });

  it('counts requests without a token by client IP, apart from the tokens', async () => {
    const { rawToken } = await provenToken('beside-anonymous');
    expect(await statuses(app, '/api/me', LIMIT)).toEqual(Array(LIMIT).fill(401));
    const blocked = await call(app, '/api/me');
    expect(blocked.status).toBe(429);
    expect(blocked.body.message).toBe(MESSAGES.rateLimited);
    // The same client, now with a token: a count of its own.
    expect((await call(app, '/api/me', { token: rawToken })).status).toBe(200);
  });
});

describe.each(
  appVariants()
    .filter((variant) => variant.registration === 'forRoot')
    .slice(0, 1),
)('KeysmithThrottlerGuard beside the hooks on %s', (variant) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      suite: 'throttler-guard-hooks',
      variant,
      ...throttledApp(),
      keysmith: {
        rateLimitHook: (request: RequestWithHeaders) => request.headers['x-block-before-auth'] !== 'yes',
        throttleHook: (_request: unknown, token) => token.name !== 'blocked-by-hook',
      },
    });
  });
  afterAll(() => app?.close());

  it('rateLimitHook still blocks with 429 rateLimited within the throttler limit', async () => {
    const { rawToken } = await app.tokens.create({ name: 'rate-limit-hook' });
    const agent = uniqueAgent('rate-limit-hook');
    const response = await call(app, '/api/health', { token: rawToken, agent, headers: { 'x-block-before-auth': 'yes' } });
    expect(response.status).toBe(429);
    expect(response.body.message).toBe(MESSAGES.rateLimited);
    const rows = await auditRowsOf(app, agent);
    expect(rows.map((row) => row.extra)).toEqual([{ error_code: 'rate_limited' }]);
  });

  it('throttleHook still blocks an authenticated token with 429, audited for that token', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'blocked-by-hook' });
    const agent = uniqueAgent('throttle-hook');
    const response = await call(app, '/api/health', { token: rawToken, agent });
    expect(response.status).toBe(429);
    expect(response.body.message).toBe(MESSAGES.rateLimited);
    const rows = await auditRowsOf(app, agent);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'auth_failed', tokenId: token.id, extra: { error_code: 'rate_limited' } });
  });
});

describe.each(
  appVariants()
    .filter((variant) => variant.registration === 'forRoot')
    .slice(0, 1),
)('KeysmithThrottlerGuard and KeysmithGuard verify a request once, on %s', (variant) => {
  const hasher = new SlowCountingHasher(0);
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'throttler-guard-once', variant, ...throttledApp(), keysmith: { hasher, cacheTtlSeconds: 0 } });
  });
  afterAll(() => app?.close());

  it('with the cache off, a valid token costs one verification per request', async () => {
    const { rawToken } = await app.tokens.create({ name: 'uncached' });
    const before = hasher.verifications;
    expect(await statuses(app, '/api/health', LIMIT, rawToken)).toEqual(allowed);
    expect(hasher.verifications - before).toBe(LIMIT);
  });

  it('a wrong secret costs one verification and is audited once', async () => {
    const { token } = await app.tokens.create({ name: 'guessed-once' });
    const before = hasher.verifications;
    const agent = uniqueAgent('wrong-once');
    const response = await call(app, '/api/health', {
      token: buildToken(token.prefix, 'WrongWrongWrongWrongWrongWrong42'),
      agent,
      from: '127.0.0.7',
    });
    expect(response.status).toBe(401);
    expect(hasher.verifications - before).toBe(1);
    expect((await auditRowsOf(app, agent)).map((row) => row.extra)).toEqual([{ error_code: 'invalid_token', reason: 'wrong_secret' }]);
  });
});
