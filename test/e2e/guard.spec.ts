import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Token } from '../../lib/index.js';
import { appVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import {
  ClassScopesController,
  GuardedApiController,
  HandlerGuardController,
  HandlerScopesController,
  OptionalController,
} from './fixtures/guard-controllers.js';
import { MESSAGES, call } from './fixtures/guard-http.js';

const USERS = new Map([['7', { id: '7', name: 'Ada' }]]);

describe.each(appVariants())('KeysmithGuard on %s', (variant) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      suite: 'guard',
      variant,
      keysmith: {
        resolveUser: (userId: string, token: Token) => {
          const user = USERS.get(userId);
          return Promise.resolve(user ? { ...user, resolved_for: token.prefix } : null);
        },
      },
      controllers: [GuardedApiController, HandlerGuardController, HandlerScopesController, ClassScopesController, OptionalController],
    });
  });
  afterAll(() => app?.close());

  const create = (scopes: string[] = [], userId?: string) =>
    app.tokens.create({ name: `guard ${variantName(variant)}`, scopes, ...(userId === undefined ? {} : { userId }) });

  describe('@UseGuards(KeysmithGuard) on a controller', () => {
    it('GET /api/health answers 200 { ok: true, token_prefix } for a valid token', async () => {
      const { token, rawToken } = await create();
      const response = await call(app, '/api/health', { token: rawToken });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ok: true, token_prefix: token.prefix });
    });

    it('answers 401 with the missingToken message when no token is sent', async () => {
      const response = await call(app, '/api/health');
      expect(response.status).toBe(401);
      expect(response.body.message).toBe(MESSAGES.missingToken);
      expect(response.body.message).toBe('Authentication credentials were not provided.');
    });

    it('reads the x-keysmith-token header whatever its case', async () => {
      const { token, rawToken } = await create();
      for (const name of ['x-keysmith-token', 'X-KEYSMITH-TOKEN', 'X-Keysmith-Token']) {
        const response = await call(app, '/api/health', { headers: { [name]: rawToken } });
        expect(response.status, name).toBe(200);
        expect(response.body.token_prefix).toBe(token.prefix);
      }
    });

    it('ignores the keysmith_token query parameter while allowQueryParam is off', async () => {
      const { rawToken } = await create();
      const response = await call(app, `/api/health?keysmith_token=${encodeURIComponent(rawToken)}`);
      expect(response.status).toBe(401);
      expect(response.body.message).toBe(MESSAGES.missingToken);
    });

    it('guards every handler of the controller', async () => {
      const { rawToken } = await create();
      expect((await call(app, '/api/me')).status).toBe(401);
      expect((await call(app, '/api/items', { method: 'PUT' })).status).toBe(401);
      expect((await call(app, '/api/me', { token: rawToken })).status).toBe(200);
      expect((await call(app, '/api/items', { method: 'PUT', token: rawToken })).status).toBe(201);
    });
  });

  describe('@UseGuards(KeysmithGuard) on a handler', () => {
    it('guards that handler', async () => {
      const { token, rawToken } = await create();
      expect((await call(app, '/handler-guard/closed')).status).toBe(401);
      const ok = await call(app, '/handler-guard/closed', { token: rawToken });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ token_prefix: token.prefix });
    });

    it('leaves the other handlers of the controller open', async () => {
      const response = await call(app, '/handler-guard/open');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ open: true, token_prefix: null });
    });
  });

  describe('@KeysmithUser()', () => {
    it('hands the handler the user that resolveUser returns for the token', async () => {
      const { token, rawToken } = await create([], '7');
      const response = await call(app, '/api/me', { token: rawToken });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ token_prefix: token.prefix, user: { id: '7', name: 'Ada', resolved_for: token.prefix } });
    });

    it('is null for a token without a user', async () => {
      const { token, rawToken } = await create();
      const response = await call(app, '/api/me', { token: rawToken });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ token_prefix: token.prefix, user: null });
    });

    it('is null when resolveUser finds no user', async () => {
      const { token, rawToken } = await create([], '404');
      const response = await call(app, '/api/me', { token: rawToken });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ token_prefix: token.prefix, user: null });
    });
  });

  describe('@KeysmithScopes()', () => {
    it('on a handler: 403 with the insufficientScope message without the scope, 200 with it', async () => {
      const none = await create([]);
      const read = await create(['read']);
      const write = await create(['write']);
      for (const { rawToken } of [none, read]) {
        const denied = await call(app, '/handler-scopes/write', { token: rawToken });
        expect(denied.status).toBe(403);
        expect(denied.body.message).toBe(MESSAGES.insufficientScope);
        expect(denied.body.message).toBe('You do not have permission to perform this action.');
      }
      const granted = await call(app, '/handler-scopes/write', { token: write.rawToken });
      expect(granted.status).toBe(200);
      expect(granted.body).toEqual({ granted: ['write'] });
    });

    it('on a class: every handler requires the scope', async () => {
      const write = await create(['write']);
      const read = await create(['read']);
      const denied = await call(app, '/class-scopes', { token: write.rawToken });
      expect(denied.status).toBe(403);
      expect(denied.body.message).toBe(MESSAGES.insufficientScope);
      const granted = await call(app, '/class-scopes', { token: read.rawToken });
      expect(granted.status).toBe(200);
      expect(granted.body).toEqual({ granted: ['read'] });
    });

    it('on a class and a handler: both lists are required', async () => {
      const read = await create(['read']);
      const write = await create(['write']);
      const both = await create(['read', 'write']);
      for (const { rawToken } of [read, write]) {
        const denied = await call(app, '/class-scopes/write', { token: rawToken });
        expect(denied.status).toBe(403);
        expect(denied.body.message).toBe(MESSAGES.insufficientScope);
      }
      const granted = await call(app, '/class-scopes/write', { token: both.rawToken });
      expect(granted.status).toBe(200);
      expect(granted.body).toEqual({ granted: ['read', 'write'] });
    });

    it('with several scopes in one decorator: all of them are required', async () => {
      const write = await create(['write']);
      const all = await create(['read', 'write', 'admin']);
      expect((await call(app, '/handler-scopes/read-write', { token: write.rawToken })).status).toBe(403);
      expect((await call(app, '/handler-scopes/read-write', { token: all.rawToken })).status).toBe(200);
    });

    it('checks the token before its scopes: no token is 401, not 403', async () => {
      const response = await call(app, '/handler-scopes/write');
      expect(response.status).toBe(401);
      expect(response.body.message).toBe(MESSAGES.missingToken);
    });
  });

  describe('@KeysmithOptional()', () => {
    it('lets a request without a token through as anonymous, with a null token and user', async () => {
      const response = await call(app, '/optional');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ anonymous: true, token_prefix: null, user: null });
    });

    it('treats an empty header as no token: anonymous', async () => {
      const response = await call(app, '/optional', { token: '' });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ anonymous: true, token_prefix: null, user: null });
    });

    it('hands over the token and its user when a valid token is sent', async () => {
      const { token, rawToken } = await create([], '7');
      const response = await call(app, '/optional', { token: rawToken });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        anonymous: false,
        token_prefix: token.prefix,
        user: { id: '7', name: 'Ada', resolved_for: token.prefix },
      });
    });

    it('still answers 401 invalidToken for an invalid or revoked token', async () => {
      const revoked = await create();
      await app.tokens.revoke(revoked.token);
      for (const sent of ['tok_garbage', revoked.rawToken]) {
        const response = await call(app, '/optional', { token: sent });
        expect(response.status).toBe(401);
        expect(response.body.message).toBe(MESSAGES.invalidToken);
      }
    });
  });

  describe('lifecycle through TokenService', () => {
    it('rotate: the old raw token gets 401 on the very next request, the new one 200', async () => {
      const { token, rawToken } = await create();
      expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
      const rotated = await app.tokens.rotate(token);
      const old = await call(app, '/api/health', { token: rawToken });
      expect(old.status).toBe(401);
      expect(old.body.message).toBe(MESSAGES.invalidToken);
      const fresh = await call(app, '/api/health', { token: rotated });
      expect(fresh.status).toBe(200);
      expect(fresh.body).toEqual({ ok: true, token_prefix: token.prefix });
    });

    it('revoke: the raw token gets 401 on the very next request', async () => {
      const { token, rawToken } = await create();
      expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
      await app.tokens.revoke(token.id);
      const response = await call(app, '/api/health', { token: rawToken });
      expect(response.status).toBe(401);
      expect(response.body.message).toBe(MESSAGES.invalidToken);
    });

    it('purge: the raw token gets 401 on the very next request', async () => {
      const { token, rawToken } = await create();
      expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
      await app.tokens.purge(token.prefix);
      const response = await call(app, '/api/health', { token: rawToken });
      expect(response.status).toBe(401);
      expect(response.body.message).toBe(MESSAGES.invalidToken);
    });

    it('revoke with purge: the raw token gets 401 on the very next request', async () => {
      const { token, rawToken } = await create();
      expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
      await app.tokens.revoke(token, { purge: true });
      expect((await call(app, '/api/health', { token: rawToken })).status).toBe(401);
    });
  });
});
