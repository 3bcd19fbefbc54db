import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuditLog } from '../../lib/index.js';
import { appVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { GuardedApiController, HandlerScopesController } from './fixtures/guard-controllers.js';
import { MESSAGES, auditRowsOf, call, secretOf, uniqueAgent, type RequestWithHeaders } from './fixtures/guard-http.js';

const CUSTOM_MESSAGES = {
  missingToken: 'Send your API key.',
  invalidToken: 'That API key does not work.',
  insufficientScope: 'That API key may not do this.',
  rateLimited: 'Slow down.',
};

describe.each(appVariants())('KeysmithGuard options on %s', (variant) => {
  describe('allowQueryParam with the default name, behind a trusted proxy', () => {
    let app: TestApp;

    beforeAll(async () => {
      app = await startTestApp({
        suite: 'guard-options-query',
        variant,
        keysmith: { allowQueryParam: true },
        trustProxy: true,
        controllers: [GuardedApiController],
      });
    });
    afterAll(() => app?.close());

    it('accepts the token from the keysmith_token query parameter', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'query' });
      const response = await call(app, `/api/health?keysmith_token=${encodeURIComponent(rawToken)}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ok: true, token_prefix: token.prefix });
    });

    it('still accepts the token from the header', async () => {
      const { rawToken } = await app.tokens.create({ name: 'header' });
      expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
    });

    it('answers 401 missingToken with neither, and 401 invalidToken for a bad token in the query', async () => {
      const missing = await call(app, '/api/health?keysmith_token=');
      expect(missing.status).toBe(401);
      expect(missing.body.message).toBe(MESSAGES.missingToken);
      const invalid = await call(app, '/api/health?keysmith_token=tok_nonsense');
      expect(invalid.status).toBe(401);
      expect(invalid.body.message).toBe(MESSAGES.invalidToken);
    });

    it('never logs the token of the query: the audit path has no query string', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'query audit' });
      const agent = uniqueAgent('query-audit');
      expect((await call(app, `/api/health?keysmith_token=${encodeURIComponent(rawToken)}&page=2`, { agent })).status).toBe(200);
      const rows = await auditRowsOf(app, agent);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: 'auth_success', tokenId: token.id, path: '/api/health' });
      expect(JSON.stringify(rows[0])).not.toContain(secretOf(rawToken));
    });

    it('records the first X-Forwarded-For entry as the client IP', async () => {
      const { rawToken } = await app.tokens.create({ name: 'proxied' });
      const agent = uniqueAgent('trusted-proxy');
      const headers = { 'X-Forwarded-For': '203.0.113.7, 10.0.0.1' };
      expect((await call(app, '/api/health', { token: rawToken, agent, headers })).status).toBe(200);
      expect((await call(app, '/api/health', { agent, headers })).status).toBe(401);
      const rows = await auditRowsOf(app, agent);
      expect(rows.map((row) => [row.action, row.ipAddress])).toEqual([
        ['auth_success', '203.0.113.7'],
        ['auth_failed', '203.0.113.7'],
      ]);
    });

    it('keeps the audit row when the forwarded address is longer than any IP address', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'spoofed' });
      const agent = uniqueAgent('spoofed-proxy');
      const headers = { 'X-Forwarded-For': `${'spoofed-'.repeat(20)}, 10.0.0.1` };
      expect((await call(app, '/api/health', { token: rawToken, agent, headers })).status).toBe(200);
      const rows = await auditRowsOf(app, agent);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: 'auth_success', tokenId: token.id });
      expect(rows[0].ipAddress!.length).toBeLessThanOrEqual(45);
      expect(app.logs.filter((entry) => entry.level === 'error')).toEqual([]);
    });

    it('answers a repeated query parameter with 401, never a 500', async () => {
      const { rawToken } = await app.tokens.create({ name: 'repeated' });
      const value = encodeURIComponent(rawToken);
      const response = await call(app, `/api/health?keysmith_token=${value}&keysmith_token=${value}`);
      expect(response.status).toBe(401);
      expect(response.text).not.toContain(rawToken);
    });

    it('records the socket address when no X-Forwarded-For is sent', async () => {
      const { rawToken } = await app.tokens.create({ name: 'direct' });
      const agent = uniqueAgent('direct');
      expect((await call(app, '/api/health', { token: rawToken, agent })).status).toBe(200);
      expect((await auditRowsOf(app, agent)).map((row) => row.ipAddress)).toEqual(['127.0.0.1']);
    });
  });

  describe('a custom header and query parameter, custom messages, no resolver, no audit log', () => {
    let app: TestApp;

    beforeAll(async () => {
      app = await startTestApp({
        suite: 'guard-options-custom',
        variant,
        keysmith: {
          header: 'X-Api-Key',
          allowQueryParam: true,
          queryParamName: 'api_key',
          errorMessages: CUSTOM_MESSAGES,
          auditLogging: false,
          rateLimitHook: (request: RequestWithHeaders) => request.headers['x-block'] !== 'yes',
        },
        controllers: [GuardedApiController, HandlerScopesController],
      });
    });
    afterAll(() => app?.close());

    it('reads the token from the configured header, whatever its case', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'custom header' });
      for (const name of ['x-api-key', 'X-API-KEY', 'X-Api-Key']) {
        const response = await call(app, '/api/health', { headers: { [name]: rawToken } });
        expect(response.status, name).toBe(200);
        expect(response.body).toEqual({ ok: true, token_prefix: token.prefix });
      }
    });

    it('no longer reads the default header', async () => {
      const { rawToken } = await app.tokens.create({ name: 'default header' });
      const response = await call(app, '/api/health', { token: rawToken });
      expect(response.status).toBe(401);
      expect(response.body.message).toBe(CUSTOM_MESSAGES.missingToken);
    });

    it('reads the configured query parameter, not keysmith_token', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'custom query' });
      const custom = await call(app, `/api/health?api_key=${encodeURIComponent(rawToken)}`);
      expect(custom.status).toBe(200);
      expect(custom.body.token_prefix).toBe(token.prefix);
      const standard = await call(app, `/api/health?keysmith_token=${encodeURIComponent(rawToken)}`);
      expect(standard.status).toBe(401);
      expect(standard.body.message).toBe(CUSTOM_MESSAGES.missingToken);
    });

    it('answers with the custom message of each kind of failure', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'messages', scopes: ['read'] });
      const missing = await call(app, '/api/health');
      expect([missing.status, missing.body.message]).toEqual([401, CUSTOM_MESSAGES.missingToken]);
      const invalid = await call(app, '/api/health', { headers: { 'x-api-key': 'tok_nonsense' } });
      expect([invalid.status, invalid.body.message]).toEqual([401, CUSTOM_MESSAGES.invalidToken]);
      const scope = await call(app, '/handler-scopes/write', { headers: { 'x-api-key': rawToken } });
      expect([scope.status, scope.body.message]).toEqual([403, CUSTOM_MESSAGES.insufficientScope]);
      const limited = await call(app, '/api/health', { headers: { 'x-api-key': rawToken, 'x-block': 'yes' } });
      expect([limited.status, limited.body.message]).toEqual([429, CUSTOM_MESSAGES.rateLimited]);
      await app.tokens.revoke(token);
      const revoked = await call(app, '/api/health', { headers: { 'x-api-key': rawToken } });
      expect([revoked.status, revoked.body.message]).toEqual([401, CUSTOM_MESSAGES.invalidToken]);
    });

    it('hands @KeysmithUser() null without a resolveUser option, even for a token with a user', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'no resolver', userId: '7' });
      const response = await call(app, '/api/me', { headers: { 'x-api-key': rawToken } });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ token_prefix: token.prefix, user: null });
    });

    it('writes no audit rows with auditLogging: false', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'unaudited', scopes: ['read'] });
      await call(app, '/api/health', { headers: { 'x-api-key': rawToken } });
      await call(app, '/api/health');
      await call(app, '/api/health', { headers: { 'x-api-key': 'tok_nonsense' } });
      await call(app, '/handler-scopes/write', { headers: { 'x-api-key': rawToken } });
      await call(app, '/api/health', { headers: { 'x-api-key': rawToken, 'x-block': 'yes' } });
      await app.tokens.rotate(token);
      await app.tokens.revoke(token);
      await app.auditLog.flush();
      expect(await app.dataSource.getRepository(TokenAuditLog).count()).toBe(0);
    });
  });
});
