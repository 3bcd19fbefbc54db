import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildToken } from '../../lib/index.js';
import { appVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { GuardedApiController, HandlerScopesController, OptionalController } from './fixtures/guard-controllers.js';
import { allAuditRows, auditRowsOf, call, rawCall, secretOf, uniqueAgent } from './fixtures/guard-http.js';

describe.each(appVariants())('KeysmithGuard audit rows on %s', (variant) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      suite: 'guard-audit',
      variant,
      controllers: [GuardedApiController, HandlerScopesController, OptionalController],
    });
  });
  afterAll(() => app?.close());

  const create = (scopes: string[] = []) => app.tokens.create({ name: 'audited', scopes });

  it('auth_success records the token, path, method, final status, client IP and user agent', async () => {
    const { token, rawToken } = await create();
    const agent = uniqueAgent('success');
    expect((await call(app, '/api/health', { token: rawToken, agent })).status).toBe(200);
    const rows = await auditRowsOf(app, agent);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'auth_success',
      tokenId: token.id,
      path: '/api/health',
      method: 'GET',
      statusCode: 200,
      ipAddress: '127.0.0.1',
      userAgent: agent,
    });
    expect(rows[0].createdAt).toBeInstanceOf(Date);
  });

  it('auth_success records the status set by @HttpCode (201)', async () => {
    const { token, rawToken } = await create();
    const agent = uniqueAgent('created');
    expect((await call(app, '/api/items', { method: 'PUT', token: rawToken, agent })).status).toBe(201);
    const rows = await auditRowsOf(app, agent);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'auth_success', tokenId: token.id, method: 'PUT', path: '/api/items', statusCode: 201 });
  });

  it('auth_success records 500 when the handler throws after authentication', async () => {
    const { token, rawToken } = await create();
    const agent = uniqueAgent('boom');
    expect((await call(app, '/api/boom', { token: rawToken, agent })).status).toBe(500);
    const rows = await auditRowsOf(app, agent);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'auth_success', tokenId: token.id, path: '/api/boom', statusCode: 500 });
  });

  it('auth_failed missing_token on a route that requires a token', async () => {
    const agent = uniqueAgent('missing');
    expect((await call(app, '/api/me', { agent })).status).toBe(401);
    const rows = await auditRowsOf(app, agent);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'auth_failed',
      tokenId: null,
      path: '/api/me',
      method: 'GET',
      statusCode: 401,
      ipAddress: '127.0.0.1',
      userAgent: agent,
      extra: { error_code: 'missing_token' },
    });
  });

  it('auth_failed insufficient_scope with the token and 403', async () => {
    const { token, rawToken } = await create(['read']);
    const agent = uniqueAgent('scope');
    expect((await call(app, '/handler-scopes/write', { token: rawToken, agent })).status).toBe(403);
    const rows = await auditRowsOf(app, agent);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'auth_failed', tokenId: token.id, statusCode: 403, path: '/handler-scopes/write' });
    expect(rows[0].extra.error_code).toBe('insufficient_scope');
    expect(rows[0].extra.missing_scopes).toEqual(['write']);
  });

  it('auth_failed revoked_token and expired_token name the token', async () => {
    const revoked = await create();
    await app.tokens.revoke(revoked.token);
    const expired = await app.tokens.create({ name: 'expired', expiresAt: new Date(Date.now() - 1_000) });
    for (const [{ token, rawToken }, code] of [
      [revoked, 'revoked_token'],
      [expired, 'expired_token'],
    ] as const) {
      const agent = uniqueAgent(code);
      expect((await call(app, '/api/health', { token: rawToken, agent })).status).toBe(401);
      const rows = await auditRowsOf(app, agent);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: 'auth_failed', tokenId: token.id, statusCode: 401, extra: { error_code: code } });
    }
  });

  it('does not audit a missing token on a @KeysmithOptional() route', async () => {
    const agent = uniqueAgent('optional');
    expect((await call(app, '/optional', { agent })).status).toBe(200);
    expect(await auditRowsOf(app, agent)).toEqual([]);
  });

  it('audits a valid and an invalid token on a @KeysmithOptional() route', async () => {
    const { token, rawToken } = await create();
    const valid = uniqueAgent('optional-valid');
    const invalid = uniqueAgent('optional-invalid');
    expect((await call(app, '/optional', { token: rawToken, agent: valid })).status).toBe(200);
    expect((await call(app, '/optional', { token: 'tok_nonsense', agent: invalid })).status).toBe(401);
    expect(await auditRowsOf(app, valid)).toMatchObject([{ action: 'auth_success', tokenId: token.id, statusCode: 200 }]);
    expect(await auditRowsOf(app, invalid)).toMatchObject([
      { action: 'auth_failed', statusCode: 401, extra: { error_code: 'invalid_token', reason: 'malformed' } },
    ]);
  });

  it('records the socket address, not X-Forwarded-For, when the app does not trust its proxy', async () => {
    const { rawToken } = await create();
    const agent = uniqueAgent('untrusted-proxy');
    const response = await call(app, '/api/health', {
      token: rawToken,
      agent,
      headers: { 'X-Forwarded-For': '203.0.113.7, 10.0.0.1' },
    });
    expect(response.status).toBe(200);
    const rows = await auditRowsOf(app, agent);
    expect(rows.map((row) => row.ipAddress)).toEqual(['127.0.0.1']);
  });

  it('records the path without its query string', async () => {
    const { rawToken } = await create();
    const agent = uniqueAgent('query');
    const query = `?page=2&keysmith_token=${encodeURIComponent(rawToken)}`;
    expect((await call(app, `/api/health${query}`, { token: rawToken, agent })).status).toBe(200);
    const rows = await auditRowsOf(app, agent);
    expect(rows.map((row) => row.path)).toEqual(['/api/health']);
  });

  it('keeps the row of a request with an overlong user agent, cut to the column', async () => {
    const { token, rawToken } = await create();
    const agent = uniqueAgent('long').padEnd(600, 'é');
    expect((await rawCall(app, '/api/health', { 'x-keysmith-token': rawToken, 'user-agent': agent })).status).toBe(200);
    const rows = await auditRowsOf(app, agent.slice(0, 512));
    expect(rows).toMatchObject([{ action: 'auth_success', tokenId: token.id, statusCode: 200 }]);
  });

  it('never stores a raw token or a secret in any row', async () => {
    const sent: string[] = [];
    const good = await create();
    sent.push(good.rawToken);
    await call(app, '/api/health', { token: good.rawToken });
    await call(app, `/api/health?keysmith_token=${encodeURIComponent(good.rawToken)}`, { token: good.rawToken });
    const rotated = await app.tokens.rotate(good.token);
    sent.push(rotated);
    await call(app, '/api/health', { token: good.rawToken });
    await call(app, '/api/health', { token: rotated });
    const wrongSecret = buildToken(good.token.prefix, 'WrongWrongWrongWrongWrongWrong42');
    sent.push(wrongSecret);
    await call(app, '/api/health', { token: wrongSecret });
    const scoped = await create(['read']);
    sent.push(scoped.rawToken);
    await call(app, '/handler-scopes/write', { token: scoped.rawToken });
    await app.tokens.revoke(scoped.token);
    await call(app, '/api/health', { token: scoped.rawToken });

    const stored = JSON.stringify(await allAuditRows(app));
    expect(stored).toContain(good.token.id);
    for (const raw of sent) {
      expect(stored).not.toContain(raw);
      expect(stored).not.toContain(secretOf(raw));
    }
  });
});
