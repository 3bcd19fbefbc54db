import { JwtService } from '@nestjs/jwt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MESSAGES, auditRowsOf, call, uniqueAgent } from '../e2e/fixtures/guard-http.js';
import { resolveUser } from '../graphql/fixtures/graphql-app.js';
import { startTestApp, type AppVariant, type TestApp } from '../support/test-app.js';
import { passportApp } from './fixtures/passport-app.js';

/** Both HTTP adapters on one database: what is tested is the Passport composition, not the storage. */
const variants: AppVariant[] = (['express', 'fastify'] as const).map((adapter) => ({
  database: inject('databases')[0],
  adapter,
  registration: 'forRoot',
}));

describe.each(variants)('KeysmithStrategy beside a passport-jwt strategy ($adapter)', (variant) => {
  let app: TestApp;
  let jwt: (userId: string) => string;

  beforeAll(async () => {
    app = await startTestApp({
      suite: `passport-${variant.adapter}`,
      variant,
      ...passportApp(),
      keysmith: { resolveUser, failedAttemptsLimit: 2 },
    });
    const signer = app.app.get(JwtService);
    jwt = (userId) => signer.sign({ sub: userId });
  });
  afterAll(() => app?.close());

  it("AuthGuard(['jwt', 'keysmith']) lets a JWT through, with no keysmith token and no keysmith audit row", async () => {
    const agent = uniqueAgent('passport-jwt');
    const reply = await call(app, '/either/whoami', { headers: { authorization: `Bearer ${jwt('u1')}` }, agent });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ user: { id: 'u1', via: 'jwt' }, token_prefix: null, keysmith_user: null });
    expect(await auditRowsOf(app, agent)).toEqual([]);
  });

  it('lets an API token through, with @KeysmithToken(), @KeysmithUser(), request.user and an auth_success row', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'passport', userId: '7' });
    const agent = uniqueAgent('passport-token');
    const reply = await call(app, '/either/whoami', { token: rawToken, agent });
    expect(reply.status).toBe(200);
    const user = { id: '7', name: 'user 7' };
    expect(reply.body).toEqual({ user, token_prefix: token.prefix, keysmith_user: user });
    expect(await auditRowsOf(app, agent)).toEqual([
      expect.objectContaining({ action: 'auth_success', tokenId: token.id, path: '/either/whoami', method: 'GET' }),
    ]);
  });

  it('hands request.user the token when resolveUser gives no user', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'no-user' });
    const reply = await call(app, '/either/whoami', { token: rawToken });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ user: { id: token.id, prefix: token.prefix }, token_prefix: token.prefix, keysmith_user: null });
  });

  it('refuses an invalid, revoked or expired token with 401 invalidToken and audits why, as KeysmithGuard does', async () => {
    const revoked = await app.tokens.create({ name: 'revoked' });
    await app.tokens.revoke(revoked.token.id);
    const expired = await app.tokens.create({ name: 'expired', expiresAt: new Date(Date.now() - 1_000) });
    const cases = [
      { rawToken: 'tok_ab12CD34:nope', extra: { error_code: 'invalid_token', reason: 'malformed' }, tokenId: null },
      { rawToken: revoked.rawToken, extra: { error_code: 'revoked_token' }, tokenId: revoked.token.id },
      { rawToken: expired.rawToken, extra: { error_code: 'expired_token' }, tokenId: expired.token.id },
    ];
    for (const { rawToken, extra, tokenId } of cases) {
      const agent = uniqueAgent('passport-refused');
      const reply = await call(app, '/either/whoami', { token: rawToken, agent });
      expect(reply.status).toBe(401);
      expect(reply.body.message).toBe(MESSAGES.invalidToken);
      expect(reply.text).not.toContain(rawToken);
      expect(await auditRowsOf(app, agent)).toEqual([expect.objectContaining({ action: 'auth_failed', tokenId, extra })]);
    }
  });

  it('answers 429 rateLimited once an address has sent failedAttemptsLimit wrong secrets for a prefix', async () => {
    const { token, rawToken: wrong } = await app.tokens.create({ name: 'guessed' });
    await app.tokens.rotate(token.id); // the first raw token now has a wrong secret
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(app, '/either/whoami', { token: wrong, from: '127.0.0.9' })).status);
    expect(statuses).toEqual([401, 401, 429]);
    const refused = await call(app, '/either/whoami', { token: wrong, from: '127.0.0.9' });
    expect(refused.body.message).toBe(MESSAGES.rateLimited);
  });

  it("answers passport's 401 for a request with neither, and audits nothing for the missing token", async () => {
    const agent = uniqueAgent('passport-none');
    const reply = await call(app, '/either/whoami', { agent });
    expect(reply.status).toBe(401);
    expect(await auditRowsOf(app, agent)).toEqual([]);
  });

  it("AuthGuard(['keysmith', 'jwt']) goes on to the JWT when a request has no API token", async () => {
    const reply = await call(app, '/token-first/whoami', { headers: { authorization: `Bearer ${jwt('u2')}` } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ user: { id: 'u2', via: 'jwt' }, token_prefix: null, keysmith_user: null });
  });

  it('goes on to the API token when the JWT is refused', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'after-bad-jwt' });
    const reply = await call(app, '/either/whoami', { token: rawToken, headers: { authorization: 'Bearer not.a.jwt' } });
    expect(reply.status).toBe(200);
    expect(reply.body.token_prefix).toBe(token.prefix);
  });
});

describe.each(variants.filter((variant) => variant.adapter === 'express'))(
  'A session or a token without Passport ($adapter)',
  (variant) => {
    let app: TestApp;

    beforeAll(async () => {
      app = await startTestApp({ suite: 'passport-session', variant, ...passportApp() });
    });
    afterAll(() => app?.close());

    it('lets a session through without a token, a token without a session, and refuses neither as KeysmithGuard does', async () => {
      const bySession = await call(app, '/session-or-token/whoami', { headers: { cookie: 'session=alice' } });
      expect(bySession.status).toBe(200);
      expect(bySession.body).toEqual({ session_user: 'alice', token_prefix: null });

      const { token, rawToken } = await app.tokens.create({ name: 'session-or-token' });
      const byToken = await call(app, '/session-or-token/whoami', { token: rawToken });
      expect(byToken.body).toEqual({ session_user: null, token_prefix: token.prefix });

      const neither = await call(app, '/session-or-token/whoami');
      expect(neither.status).toBe(401);
      expect(neither.body.message).toBe(MESSAGES.missingToken);
    });
  },
);
