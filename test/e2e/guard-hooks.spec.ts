import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildToken, type Token } from '../../lib/index.js';
import { appVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from './fixtures/guard-controllers.js';
import { MESSAGES, auditRowsOf, call, uniqueAgent, type RequestWithHeaders } from './fixtures/guard-http.js';

type Verdict = 'allow' | 'return false' | 'resolve false' | 'throw';

interface HookCall {
  rawToken?: string;
  token?: Token;
  agent: unknown;
}

function decide(verdict: Verdict): boolean | void | Promise<boolean> {
  switch (verdict) {
    case 'allow':
      return;
    case 'return false':
      return false;
    case 'resolve false':
      return Promise.resolve(false);
    case 'throw':
      throw new Error('Too many requests from this client.');
  }
}

const BLOCKING: Verdict[] = ['return false', 'resolve false', 'throw'];

describe.each(appVariants())('KeysmithGuard hooks on %s', (variant) => {
  let app: TestApp;
  const state = { rateLimit: 'allow' as Verdict, throttle: 'allow' as Verdict };
  const rateLimitCalls: HookCall[] = [];
  const throttleCalls: HookCall[] = [];

  beforeAll(async () => {
    app = await startTestApp({
      suite: 'guard-hooks',
      variant,
      keysmith: {
        rateLimitHook: (request: RequestWithHeaders, rawToken: string) => {
          rateLimitCalls.push({ rawToken, agent: request.headers['user-agent'] });
          return decide(state.rateLimit);
        },
        throttleHook: (request: RequestWithHeaders, token: Token) => {
          throttleCalls.push({ token, agent: request.headers['user-agent'] });
          return decide(state.throttle);
        },
      },
      controllers: [GuardedApiController],
    });
  });
  afterAll(() => app?.close());

  beforeEach(() => {
    state.rateLimit = 'allow';
    state.throttle = 'allow';
    rateLimitCalls.length = 0;
    throttleCalls.length = 0;
  });

  it('lets the request through when both hooks allow it, giving each what it is documented to receive', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'hooked' });
    const agent = uniqueAgent('allowed');
    const response = await call(app, '/api/health', { token: rawToken, agent });
    expect(response.status).toBe(200);
    expect(rateLimitCalls).toEqual([{ rawToken, agent }]);
    expect(throttleCalls).toHaveLength(1);
    expect(throttleCalls[0].agent).toBe(agent);
    expect(throttleCalls[0].token).toMatchObject({ id: token.id, prefix: token.prefix });
  });

  describe('rateLimitHook', () => {
    it.each(BLOCKING)('that blocks (%s) answers 429 rateLimited and audits rate_limited', async (verdict) => {
      const { rawToken } = await app.tokens.create({ name: 'limited' });
      state.rateLimit = verdict;
      const agent = uniqueAgent(`rate-limit-${verdict}`);
      const response = await call(app, '/api/health', { token: rawToken, agent });
      expect(response.status).toBe(429);
      expect(response.body.message).toBe('Too many authentication attempts. Try again later.');
      expect(response.body.message).toBe(MESSAGES.rateLimited);
      const rows = await auditRowsOf(app, agent);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        action: 'auth_failed',
        tokenId: null,
        statusCode: 429,
        path: '/api/health',
        extra: { error_code: 'rate_limited' },
      });
      expect(throttleCalls).toEqual([]);
    });

    it('runs before authentication: a bad token is blocked with 429, not 401, and receives the raw value', async () => {
      state.rateLimit = 'throw';
      const { token } = await app.tokens.create({ name: 'guessed' });
      const guess = buildToken(token.prefix, 'GuessGuessGuessGuessGuessGuess42');
      const response = await call(app, '/api/health', { token: guess });
      expect(response.status).toBe(429);
      expect(rateLimitCalls.map((c) => c.rawToken)).toEqual([guess]);
    });

    it('leaves the token unused when it blocks', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'unused' });
      state.rateLimit = 'return false';
      expect((await call(app, '/api/health', { token: rawToken })).status).toBe(429);
      expect((await app.tokens.findById(token.id))!.lastUsedAt).toBeNull();
    });
  });

  describe('throttleHook', () => {
    it.each(BLOCKING)('that blocks (%s) answers 429 rateLimited and audits rate_limited for the token', async (verdict) => {
      const { token, rawToken } = await app.tokens.create({ name: 'throttled' });
      state.throttle = verdict;
      const agent = uniqueAgent(`throttle-${verdict}`);
      const response = await call(app, '/api/health', { token: rawToken, agent });
      expect(response.status).toBe(429);
      expect(response.body.message).toBe(MESSAGES.rateLimited);
      const rows = await auditRowsOf(app, agent);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        action: 'auth_failed',
        tokenId: token.id,
        statusCode: 429,
        extra: { error_code: 'rate_limited' },
      });
      expect(throttleCalls.map((c) => c.token?.id)).toEqual([token.id]);
    });

    it('runs after authentication: a bad token is 401 and never reaches it', async () => {
      state.throttle = 'throw';
      const { token, rawToken } = await app.tokens.create({ name: 'revoked' });
      await app.tokens.revoke(token);
      const response = await call(app, '/api/health', { token: rawToken });
      expect(response.status).toBe(401);
      expect(response.body.message).toBe(MESSAGES.invalidToken);
      expect(throttleCalls).toEqual([]);
    });
  });

  it('blocks nothing once the hooks allow again', async () => {
    const { rawToken } = await app.tokens.create({ name: 'recovered' });
    state.rateLimit = 'throw';
    expect((await call(app, '/api/health', { token: rawToken })).status).toBe(429);
    state.rateLimit = 'allow';
    expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
  });
});
