import { Controller, Get, Injectable, UseGuards } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeysmithGuard, KeysmithToken, KeysmithUser, type Token } from '../../lib/index.js';
import { startTestApp, variantName, type AppVariant, type TestApp } from '../support/test-app.js';
import { MESSAGES, auditRowsOf, call, secretOf, uniqueAgent, type RequestWithHeaders } from './fixtures/guard-http.js';

/** Reads `Authorization: Bearer <raw token>` first, then wherever `KeysmithGuard` reads it. */
@Injectable()
class BearerKeysmithGuard extends KeysmithGuard {
  protected override extractToken(request: RequestWithHeaders): string | null {
    const authorization = request.headers.authorization;
    const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
    return match ? match[1] : super.extractToken(request);
  }
}

@Controller('bearer')
@UseGuards(BearerKeysmithGuard)
class BearerController {
  @Get('me')
  me(@KeysmithToken() token: Token, @KeysmithUser() user: unknown) {
    return { token_prefix: token.prefix, user };
  }
}

const USERS = new Map([['7', { id: '7', name: 'Ada' }]]);

const variants: AppVariant[] = [
  { database: 'sqlite-memory', adapter: 'express', registration: 'forRoot' },
  { database: 'sqlite-memory', adapter: 'fastify', registration: 'forRoot' },
];

describe.each(variants)('a subclass of KeysmithGuard overriding extractToken on %s', (variant) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      suite: 'guard-subclass',
      variant,
      keysmith: { resolveUser: (userId: string) => USERS.get(userId) ?? null },
      controllers: [BearerController],
    });
  });
  afterAll(() => app?.close());

  const create = () => app.tokens.create({ name: `bearer ${variantName(variant)}`, userId: '7' });
  const bearer = (rawToken: string) => ({ authorization: `Bearer ${rawToken}` });

  it('authenticates a token sent as Authorization: Bearer and attaches the token and its user', async () => {
    const { token, rawToken } = await create();
    const response = await call(app, '/bearer/me', { headers: bearer(rawToken) });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ token_prefix: token.prefix, user: { id: '7', name: 'Ada' } });
  });

  it('keeps the steps it did not override: the default header still works through super', async () => {
    const { token, rawToken } = await create();
    const response = await call(app, '/bearer/me', { token: rawToken });
    expect(response.status).toBe(200);
    expect(response.body.token_prefix).toBe(token.prefix);
  });

  it('answers 401 with the missingToken message when neither header is sent', async () => {
    const response = await call(app, '/bearer/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(response.status).toBe(401);
    expect(response.body.message).toBe(MESSAGES.missingToken);
  });

  it('still refuses a bad Bearer token with 401 and the invalidToken message', async () => {
    const { token, rawToken } = await create();
    const wrongSecret = rawToken.replace(secretOf(rawToken), secretOf(rawToken).split('').reverse().join(''));
    const revoked = await create();
    await app.tokens.revoke(revoked.token.id);
    for (const bad of [wrongSecret, revoked.rawToken, `${token.prefix}:garbage`]) {
      const response = await call(app, '/bearer/me', { headers: bearer(bad) });
      expect(response.status, bad).toBe(401);
      expect(response.body.message).toBe(MESSAGES.invalidToken);
    }
  });

  it('still writes the audit rows: auth_success for a Bearer token, auth_failed for a bad one', async () => {
    const { token, rawToken } = await create();
    const okAgent = uniqueAgent('bearer-ok');
    expect((await call(app, '/bearer/me', { headers: bearer(rawToken), agent: okAgent })).status).toBe(200);

    const revoked = await create();
    await app.tokens.revoke(revoked.token.id);
    const badAgent = uniqueAgent('bearer-bad');
    expect((await call(app, '/bearer/me', { headers: bearer(revoked.rawToken), agent: badAgent })).status).toBe(401);

    await app.auditLog.flush();
    const successes = await app.auditLog.list({ tokenId: token.id, action: 'auth_success' });
    expect(successes).toHaveLength(1);
    expect(successes[0]).toMatchObject({ path: '/bearer/me', method: 'GET', statusCode: 200, userAgent: okAgent });

    const failures = await auditRowsOf(app, badAgent);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      action: 'auth_failed',
      tokenId: revoked.token.id,
      statusCode: 401,
      extra: { error_code: 'revoked_token' },
    });
  });
});
