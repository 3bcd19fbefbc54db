import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appVariants, databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { GuardedApiController, HandlerScopesController } from '../e2e/fixtures/guard-controllers.js';
import { MESSAGES, auditRowsOf, uniqueAgent, type RequestWithHeaders } from '../e2e/fixtures/guard-http.js';
import { withChecksum } from './fixtures/header-values.js';

const variants = appVariants().filter(
  (variant) => variant.database === databaseVariants()[0]?.database && variant.registration === 'forRoot',
);

interface Exchange {
  status: number;
  message: unknown;
  /** Status line, headers and body of the response, as text. */
  everything: string;
}

async function send(app: TestApp, path: string, headers: Record<string, string>, init: RequestInit = {}): Promise<Exchange> {
  const response = await fetch(`${app.url}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  const text = await response.text();
  const head = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
  let message: unknown;
  try {
    message = (JSON.parse(text) as { message?: unknown }).message;
  } catch {
    message = undefined;
  }
  return { status: response.status, message, everything: `${response.status}\n${head}\n\n${text}` };
}

/** Places a client might put a token other than the configured header. */
const ELSEWHERE: Array<{
  carrier: string;
  request: (rawToken: string) => { path: string; headers: Record<string, string>; init?: RequestInit };
}> = [
  { carrier: 'Authorization: Bearer', request: (raw) => ({ path: '/api/health', headers: { authorization: `Bearer ${raw}` } }) },
  { carrier: 'Authorization', request: (raw) => ({ path: '/api/health', headers: { authorization: raw } }) },
  {
    carrier: 'a cookie',
    request: (raw) => ({ path: '/api/health', headers: { cookie: `x-keysmith-token=${raw}; keysmith_token=${raw}` } }),
  },
  { carrier: 'X-Api-Key', request: (raw) => ({ path: '/api/health', headers: { 'x-api-key': raw } }) },
  {
    carrier: 'a header named like the configured one',
    request: (raw) => ({ path: '/api/health', headers: { 'x-keysmith-token-2': raw, 'keysmith-token': raw } }),
  },
  {
    carrier: 'the query parameter, while allowQueryParam is off',
    request: (raw) => ({
      path: `/api/health?keysmith_token=${encodeURIComponent(raw)}&x-keysmith-token=${encodeURIComponent(raw)}`,
      headers: {},
    }),
  },
  {
    carrier: 'a JSON body',
    request: (raw) => ({
      path: '/api/items',
      headers: { 'content-type': 'application/json' },
      init: { method: 'PUT', body: JSON.stringify({ 'x-keysmith-token': raw, keysmith_token: raw, token: raw }) },
    }),
  },
];

const FORWARDING_HEADERS = {
  'x-forwarded-for': '203.0.113.50',
  'x-real-ip': '203.0.113.51',
  forwarded: 'for=203.0.113.52',
  'true-client-ip': '203.0.113.53',
  'cf-connecting-ip': '203.0.113.54',
  'x-client-ip': '203.0.113.55',
};

describe.each(variants)('header handling on $database · $adapter', (variant) => {
  describe('the default header, no query parameter, no trusted proxy', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        suite: 'security-headers',
        variant,
        controllers: [GuardedApiController, HandlerScopesController],
        keysmith: { failedAttemptsLimit: 3, rateLimitHook: (request: RequestWithHeaders) => request.headers['x-block'] !== 'yes' },
      });
    });
    afterAll(() => app?.close());

    it.each(ELSEWHERE)(
      `reads no token from $carrier: 401 missingToken, audited as missing (${variantName(variant)})`,
      async ({ request }) => {
        const { rawToken } = await app.tokens.create({ name: 'elsewhere' });
        const { path, headers, init } = request(rawToken);
        const agent = uniqueAgent('elsewhere');
        const reply = await send(app, path, { ...headers, 'user-agent': agent }, init);
        expect([reply.status, reply.message]).toEqual([401, MESSAGES.missingToken]);
        expect(reply.everything).not.toContain(rawToken.slice(rawToken.indexOf(':')));
        expect(await auditRowsOf(app, agent)).toMatchObject([{ tokenId: null, extra: { error_code: 'missing_token' } }]);
      },
    );

    it('records the socket address, whichever forwarding headers the client sends', async () => {
      const { rawToken } = await app.tokens.create({ name: 'forwarded' });
      const agent = uniqueAgent('forwarding');
      expect((await send(app, '/api/health', { ...FORWARDING_HEADERS, 'x-keysmith-token': rawToken, 'user-agent': agent })).status).toBe(
        200,
      );
      expect((await send(app, '/api/health', { ...FORWARDING_HEADERS, 'user-agent': agent })).status).toBe(401);
      expect((await auditRowsOf(app, agent)).map((row) => row.ipAddress)).toEqual(['127.0.0.1', '127.0.0.1']);
    });

    it('throttles wrong secrets by the socket address: a client that changes X-Forwarded-For on every try is still refused', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'guessed' });
      for (let i = 0; i < 3; i++) {
        const guess = withChecksum(`${token.prefix}:Guess${String(i).padStart(27, 'x')}`);
        const reply = await send(app, '/api/health', { 'x-keysmith-token': guess, 'x-forwarded-for': `198.51.100.${i}` });
        expect(reply.status).toBe(401);
      }
      const blocked = await send(app, '/api/health', { 'x-keysmith-token': rawToken, 'x-forwarded-for': '198.51.100.99' });
      expect([blocked.status, blocked.message]).toEqual([429, MESSAGES.rateLimited]);
    });

    it('echoes no part of a header value in the status line, headers or body of a 401, 403 or 429', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'echo', scopes: ['read'] });
      const secretPart = rawToken.slice(rawToken.indexOf(':'));
      const refusals = [
        await send(app, '/api/health', { 'x-keysmith-token': `${rawToken}<script>` }),
        await send(app, '/api/health', { 'x-keysmith-token': withChecksum(`${token.prefix}:EchoEchoEchoEchoEchoEchoEchoEcho`) }),
        await send(app, '/handler-scopes/write', { 'x-keysmith-token': rawToken }),
        await send(app, '/api/health', { 'x-keysmith-token': rawToken, 'x-block': 'yes' }),
      ];
      expect(refusals.map((reply) => reply.status)).toEqual([401, 401, 403, 429]);
      for (const reply of refusals) {
        expect(reply.everything).not.toContain(secretPart);
        expect(reply.everything).not.toContain('EchoEcho');
        expect(reply.everything).not.toContain('<script>');
      }
    });
  });

  describe('the query parameter allowed', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        suite: 'security-headers-query',
        variant,
        controllers: [GuardedApiController],
        keysmith: { allowQueryParam: true },
      });
    });
    afterAll(() => app?.close());

    it('takes the header when both are sent: a bad header is not rescued by a good query parameter', async () => {
      const { rawToken } = await app.tokens.create({ name: 'both' });
      const query = `/api/health?keysmith_token=${encodeURIComponent(rawToken)}`;
      const badHeader = await send(app, query, { 'x-keysmith-token': `${rawToken.slice(0, -1)}x` });
      expect([badHeader.status, badHeader.message]).toEqual([401, MESSAGES.invalidToken]);
      expect((await send(app, '/api/health?keysmith_token=tok_nonsense', { 'x-keysmith-token': rawToken })).status).toBe(200);
    });

    it('echoes no part of a token sent in the query string', async () => {
      const { rawToken } = await app.tokens.create({ name: 'query echo' });
      const typo = `${rawToken.slice(0, -1)}x`;
      const reply = await send(app, `/api/health?keysmith_token=${encodeURIComponent(typo)}`, {});
      expect([reply.status, reply.message]).toEqual([401, MESSAGES.invalidToken]);
      expect(reply.everything).not.toContain(typo.slice(typo.indexOf(':') + 1));
    });
  });

  describe('behind a trusted proxy', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ suite: 'security-headers-proxy', variant, controllers: [GuardedApiController], trustProxy: true });
    });
    afterAll(() => app?.close());

    it('takes the client address from X-Forwarded-For only, not from X-Real-IP, Forwarded or the like', async () => {
      const { rawToken } = await app.tokens.create({ name: 'trusted' });
      const others = Object.fromEntries(Object.entries(FORWARDING_HEADERS).filter(([name]) => name !== 'x-forwarded-for'));
      const [withoutForwardedFor, withIt] = [uniqueAgent('trusted-others'), uniqueAgent('trusted-all')];
      expect((await send(app, '/api/health', { ...others, 'x-keysmith-token': rawToken, 'user-agent': withoutForwardedFor })).status).toBe(
        200,
      );
      expect((await send(app, '/api/health', { ...FORWARDING_HEADERS, 'x-keysmith-token': rawToken, 'user-agent': withIt })).status).toBe(
        200,
      );
      expect((await auditRowsOf(app, withoutForwardedFor)).map((row) => row.ipAddress)).toEqual(['127.0.0.1']);
      expect((await auditRowsOf(app, withIt)).map((row) => row.ipAddress)).toEqual(['203.0.113.50']);
    });
  });
});
