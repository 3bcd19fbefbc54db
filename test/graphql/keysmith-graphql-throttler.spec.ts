import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { MESSAGES, auditRowsOf, uniqueAgent } from '../e2e/fixtures/guard-http.js';
import { LIMIT, throttledApp } from '../throttler/fixtures/throttled-app.js';
import { graphql, graphqlApp } from './fixtures/graphql-app.js';

const WHOAMI = '{ whoami { tokenPrefix } }';

describe.each(databaseVariants().slice(0, 1))('KeysmithThrottlerGuard in Apollo GraphQL resolvers on %s', (variant) => {
  let app: TestApp;

  beforeAll(async () => {
    const throttled = throttledApp();
    const gql = graphqlApp();
    app = await startTestApp({
      suite: 'graphql-throttler',
      variant,
      imports: [...throttled.imports!, ...gql.imports!],
      providers: [...throttled.providers!, ...gql.providers!],
    });
  });
  afterAll(() => app?.close());

  it(`counts each token apart and answers past ${LIMIT} operations with a rateLimited error, audited`, async () => {
    const first = await app.tokens.create({ name: 'first', scopes: ['read'] });
    const second = await app.tokens.create({ name: 'second', scopes: ['read'] });
    // Verified once, so that their requests count against each token rather than the client's address.
    await Promise.all([app.tokens.authenticate(first.rawToken), app.tokens.authenticate(second.rawToken)]);
    for (let i = 0; i < LIMIT; i++) {
      expect((await graphql(app, WHOAMI, { token: first.rawToken })).body).toEqual({
        data: { whoami: { tokenPrefix: first.token.prefix } },
      });
    }
    const agent = uniqueAgent('graphql-throttled');
    const blocked = await graphql(app, WHOAMI, { token: first.rawToken, agent });
    expect(blocked.body.data).toBeNull();
    expect(blocked.body.errors?.[0]).toMatchObject({ message: MESSAGES.rateLimited, path: ['whoami'] });
    expect((await graphql(app, WHOAMI, { token: second.rawToken })).body.data).toEqual({ whoami: { tokenPrefix: second.token.prefix } });

    expect(await auditRowsOf(app, agent)).toEqual([
      expect.objectContaining({
        action: 'auth_failed',
        tokenId: null,
        path: '/graphql',
        extra: { error_code: 'rate_limited', reason: 'throttler', prefix: first.token.prefix },
      }),
    ]);
  });
});
