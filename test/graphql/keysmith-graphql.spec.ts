import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Token } from '../../lib/index.js';
import { databaseVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { MESSAGES, auditRowsOf, uniqueAgent } from '../e2e/fixtures/guard-http.js';
import { graphql, graphqlApp, resolveUser } from './fixtures/graphql-app.js';

const WHOAMI = '{ whoami { anonymous tokenPrefix scopes user { id name } } }';

/** One database is enough here: what is tested is the GraphQL context, not the storage. */
describe.each(databaseVariants().slice(0, 1))('KeysmithGuard in Apollo GraphQL resolvers on %s', (variant) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      suite: 'graphql',
      variant,
      ...graphqlApp(),
      keysmith: { resolveUser, throttleHook: (_request: unknown, token: Token) => token.name !== 'throttled' },
    });
  });
  afterAll(() => app?.close());

  it('hands the token and its user to a resolver through @KeysmithToken() and @KeysmithUser()', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'reader', userId: '42', scopes: ['read'] });
    const reply = await graphql(app, WHOAMI, { token: rawToken });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      data: { whoami: { anonymous: false, tokenPrefix: token.prefix, scopes: ['read'], user: { id: '42', name: 'user 42' } } },
    });
  });

  it('answers a request without a token with an UNAUTHENTICATED error carrying missingToken', async () => {
    const reply = await graphql(app, WHOAMI);
    expect(reply.body.data).toBeNull();
    expect(reply.body.errors).toHaveLength(1);
    expect(reply.body.errors?.[0]).toMatchObject({
      message: MESSAGES.missingToken,
      path: ['whoami'],
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('answers an invalid or revoked token with an UNAUTHENTICATED error carrying invalidToken', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'revoked', scopes: ['read'] });
    await app.tokens.revoke(token.id);
    for (const sent of [rawToken, 'not-a-token']) {
      const reply = await graphql(app, WHOAMI, { token: sent });
      expect(reply.body.data).toBeNull();
      expect(reply.body.errors?.[0]).toMatchObject({ message: MESSAGES.invalidToken, extensions: { code: 'UNAUTHENTICATED' } });
      expect(JSON.stringify(reply.body)).not.toContain(sent);
    }
  });

  it('applies @KeysmithScopes() of the resolver class and of the field together: FORBIDDEN with insufficientScope', async () => {
    const reader = await app.tokens.create({ name: 'reader', scopes: ['read'] });
    const writerOnly = await app.tokens.create({ name: 'writer-only', scopes: ['write'] });
    const writer = await app.tokens.create({ name: 'writer', scopes: ['read', 'write'] });
    const mutation = 'mutation { addNote(text: "hello") }';

    for (const refused of [reader.rawToken, writerOnly.rawToken]) {
      const reply = await graphql(app, mutation, { token: refused });
      expect(reply.body.data).toBeNull();
      expect(reply.body.errors?.[0]).toMatchObject({
        message: MESSAGES.insufficientScope,
        path: ['addNote'],
        extensions: { code: 'FORBIDDEN' },
      });
    }
    const granted = await graphql(app, mutation, { token: writer.rawToken });
    expect(granted.body).toEqual({ data: { addNote: `${writer.token.prefix}: hello` } });
  });

  it('lets an anonymous request through a @KeysmithOptional() field with null token and user', async () => {
    const reply = await graphql(app, '{ maybe { anonymous tokenPrefix user { id } } }');
    expect(reply.body).toEqual({ data: { maybe: { anonymous: true, tokenPrefix: null, user: null } } });
  });

  it('carries the rateLimited message when a hook blocks', async () => {
    const { rawToken } = await app.tokens.create({ name: 'throttled', scopes: ['read'] });
    const reply = await graphql(app, WHOAMI, { token: rawToken });
    expect(reply.body.data).toBeNull();
    expect(reply.body.errors?.[0]).toMatchObject({ message: MESSAGES.rateLimited, path: ['whoami'] });
  });

  it('audits GraphQL requests with the path and method of the HTTP request that carried them', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'audited', scopes: ['read'] });
    const okAgent = uniqueAgent('graphql-ok');
    const refusedAgent = uniqueAgent('graphql-refused');
    await graphql(app, WHOAMI, { token: rawToken, agent: okAgent });
    await graphql(app, WHOAMI, { agent: refusedAgent });

    expect(await auditRowsOf(app, okAgent)).toEqual([
      expect.objectContaining({ action: 'auth_success', tokenId: token.id, path: '/graphql', method: 'POST', statusCode: 200 }),
    ]);
    expect(await auditRowsOf(app, refusedAgent)).toEqual([
      expect.objectContaining({
        action: 'auth_failed',
        tokenId: null,
        path: '/graphql',
        method: 'POST',
        extra: { error_code: 'missing_token' },
      }),
    ]);
  });
});
