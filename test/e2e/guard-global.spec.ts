import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { GlobalGuardController, PublicAreaController } from './fixtures/guard-controllers.js';
import { MESSAGES, auditRowsOf, call, uniqueAgent } from './fixtures/guard-http.js';

describe.each(appVariants())('KeysmithGuard as APP_GUARD on %s', (variant) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      suite: 'guard-global',
      variant,
      globalGuard: true,
      controllers: [GlobalGuardController, PublicAreaController],
    });
  });
  afterAll(() => app?.close());

  it('guards every route that is not public: 401 missingToken without a token, 200 with one', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'global' });
    const missing = await call(app, '/global/closed');
    expect(missing.status).toBe(401);
    expect(missing.body.message).toBe(MESSAGES.missingToken);
    const ok = await call(app, '/global/closed', { token: rawToken });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ token_prefix: token.prefix });
  });

  it('skips a @KeysmithPublic() handler: 200 without a token, and no audit row', async () => {
    const agent = uniqueAgent('public-handler');
    const response = await call(app, '/global/open', { agent });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ open: true, token_prefix: null });
    expect(await auditRowsOf(app, agent)).toEqual([]);
  });

  it('skips a @KeysmithPublic() handler entirely, even for an invalid token', async () => {
    const response = await call(app, '/global/open', { token: 'tok_nonsense' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ open: true, token_prefix: null });
  });

  it('skips every handler of a @KeysmithPublic() class, without an audit row', async () => {
    const agent = uniqueAgent('public-class');
    const response = await call(app, '/public-area', { agent });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ public: true });
    expect(await auditRowsOf(app, agent)).toEqual([]);
  });

  it('guards a handler marked @KeysmithPublic(false) inside a public class', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'members' });
    expect((await call(app, '/public-area/members')).status).toBe(401);
    const ok = await call(app, '/public-area/members', { token: rawToken });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ token_prefix: token.prefix });
  });

  it('audits a missing token on a guarded route once', async () => {
    const agent = uniqueAgent('global-missing');
    expect((await call(app, '/global/closed', { agent })).status).toBe(401);
    expect(await auditRowsOf(app, agent)).toMatchObject([
      { action: 'auth_failed', path: '/global/closed', statusCode: 401, extra: { error_code: 'missing_token' } },
    ]);
  });

  it('audits a success on a guarded route once', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'global audit' });
    const agent = uniqueAgent('global-success');
    expect((await call(app, '/global/closed', { token: rawToken, agent })).status).toBe(200);
    expect(await auditRowsOf(app, agent)).toMatchObject([{ action: 'auth_success', tokenId: token.id, statusCode: 200 }]);
  });

  it('lets a @KeysmithOptional() route through anonymously without an audit row', async () => {
    const agent = uniqueAgent('global-optional');
    const response = await call(app, '/global/optional', { agent });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ anonymous: true, token_prefix: null });
    expect(await auditRowsOf(app, agent)).toEqual([]);
  });
});
