import { Controller, Get, UseGuards } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeysmithGuard, KeysmithOptional, KeysmithScopes, KeysmithToken, KeysmithUser, type Token } from '../../lib/index.js';
import { startTestApp, variantName, type AppVariant, type TestApp } from '../support/test-app.js';
import { auditRowsOf, call, uniqueAgent } from './fixtures/guard-http.js';

const MESSAGES = {
  missingToken: 'Optional-scopes: no token.',
  invalidToken: 'Optional-scopes: bad token.',
  insufficientScope: 'Optional-scopes: scope missing.',
  rateLimited: 'Optional-scopes: slow down.',
};

const USERS = new Map([['7', { id: '7', name: 'Ada' }]]);

const describeToken = (token: Token | null, user: unknown) => ({
  anonymous: token === null,
  token: token === null ? null : { prefix: token.prefix, scopes: token.scopes },
  user,
});

/** `@KeysmithOptional()` and `@KeysmithScopes()` on the same handler. */
@Controller('optional-scoped')
@UseGuards(KeysmithGuard)
class OptionalScopedController {
  @Get('feed')
  @KeysmithOptional()
  @KeysmithScopes('feed:read')
  feed(@KeysmithToken() token: Token | null, @KeysmithUser() user: unknown) {
    return describeToken(token, user);
  }
}

/** The README's shape: scopes on the class, `@KeysmithOptional()` on one handler. */
@Controller('notes')
@UseGuards(KeysmithGuard)
@KeysmithScopes('read')
class NotesController {
  @Get()
  list(@KeysmithToken() token: Token) {
    return { token_prefix: token.prefix };
  }

  @Get('public-feed')
  @KeysmithOptional()
  feed(@KeysmithToken() token: Token | null, @KeysmithUser() user: unknown) {
    return describeToken(token, user);
  }
}

const variants: AppVariant[] = [
  { database: 'sqlite-memory', adapter: 'express', registration: 'forRoot' },
  { database: 'sqlite-memory', adapter: 'fastify', registration: 'forRoot' },
];

describe.each(variants)('@KeysmithOptional() with @KeysmithScopes() on %s', (variant) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      suite: 'guard-optional-scopes',
      variant,
      keysmith: {
        errorMessages: MESSAGES,
        resolveUser: (userId: string) => USERS.get(userId) ?? null,
      },
      controllers: [OptionalScopedController, NotesController],
    });
  });
  afterAll(() => app?.close());

  const create = (scopes: string[]) => app.tokens.create({ name: `optional-scopes ${variantName(variant)}`, scopes, userId: '7' });

  describe('both decorators on the handler', () => {
    it('an anonymous request passes with a null token and a null user, and writes no scope refusal', async () => {
      const agent = uniqueAgent('optional-scopes-anonymous');
      const response = await call(app, '/optional-scoped/feed', { agent });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ anonymous: true, token: null, user: null });
      const refusals = (await auditRowsOf(app, agent)).filter((row) => row.action === 'auth_failed');
      expect(refusals).toEqual([]);
    });

    it('a valid token without the scope gets 403 with the configured insufficientScope message', async () => {
      for (const scopes of [[], ['read'], ['feed:write']]) {
        const { token, rawToken } = await create(scopes);
        const agent = uniqueAgent('optional-scopes-denied');
        const response = await call(app, '/optional-scoped/feed', { token: rawToken, agent });
        expect(response.status, scopes.join(',')).toBe(403);
        expect(response.body.message).toBe(MESSAGES.insufficientScope);
        const rows = await auditRowsOf(app, agent);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          action: 'auth_failed',
          tokenId: token.id,
          statusCode: 403,
          extra: { error_code: 'insufficient_scope', missing_scopes: ['feed:read'] },
        });
      }
    });

    it('a valid token with the scope gets 200 with the token and its user', async () => {
      const { token, rawToken } = await create(['feed:read', 'other']);
      const response = await call(app, '/optional-scoped/feed', { token: rawToken });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        anonymous: false,
        token: { prefix: token.prefix, scopes: ['feed:read', 'other'] },
        user: { id: '7', name: 'Ada' },
      });
    });

    it('a token that is sent must be valid: a revoked or malformed one gets 401 with the invalidToken message, not 403', async () => {
      const { rawToken } = await create(['feed:read']);
      const { token: revoked, rawToken: revokedRaw } = await create(['feed:read']);
      await app.tokens.revoke(revoked.id);
      const badChecksum = `${rawToken.slice(0, rawToken.indexOf(':') + 1)}${'x'.repeat(32)}000000`;
      for (const bad of [revokedRaw, badChecksum, 'not-a-token']) {
        const response = await call(app, '/optional-scoped/feed', { token: bad });
        expect(response.status, bad).toBe(401);
        expect(response.body.message).toBe(MESSAGES.invalidToken);
      }
    });
  });

  describe('scopes on the class, @KeysmithOptional() on the handler (the README example)', () => {
    it('an anonymous request to the optional handler passes as anonymous', async () => {
      const response = await call(app, '/notes/public-feed');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ anonymous: true, token: null, user: null });
    });

    it("the class's scope still applies to a token sent there: 403 without it, 200 with it", async () => {
      const without = await create(['write']);
      const denied = await call(app, '/notes/public-feed', { token: without.rawToken });
      expect(denied.status).toBe(403);
      expect(denied.body.message).toBe(MESSAGES.insufficientScope);

      const granted = await create(['read']);
      const ok = await call(app, '/notes/public-feed', { token: granted.rawToken });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({
        anonymous: false,
        token: { prefix: granted.token.prefix, scopes: ['read'] },
        user: { id: '7', name: 'Ada' },
      });
    });

    it('the non-optional handler of the class still requires a token', async () => {
      const response = await call(app, '/notes');
      expect(response.status).toBe(401);
      expect(response.body.message).toBe(MESSAGES.missingToken);
    });
  });
});
