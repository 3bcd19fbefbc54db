import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MESSAGES, auditRowsOf, uniqueAgent } from '../e2e/fixtures/guard-http.js';
import { REDIS_URL } from '../support/redis.js';
import { databaseVariants, startTestApp, type AppVariant, type TestApp } from '../support/test-app.js';
import type { KeysmithModuleOptions } from '../../lib/index.js';
import { resolveUser } from './fixtures/graphql-app.js';
import { collect, publishNote, subscriptionClient, subscriptionsApp } from './fixtures/subscriptions-app.js';

const NOTES = 'subscription { noteAdded { text tokenPrefix userName } }';
const SECRETS = 'subscription { secretAdded { text tokenPrefix userName } }';
const OPEN_NOTES = 'subscription { anyoneNoteAdded { text tokenPrefix userName } }';

/** Publishes until the subscription has received `count` results (a subscription starts listening a moment after `subscribe`). */
async function publishUntil(results: unknown[], count: number, text: string): Promise<void> {
  await expect
    .poll(() => {
      if (results.length < count) publishNote(text);
      return results.length;
    })
    .toBeGreaterThanOrEqual(count);
}

function startInstance(suite: string, variant: AppVariant, keysmith: KeysmithModuleOptions, keepSchema = false): Promise<TestApp> {
  return startTestApp({ suite, variant, ...subscriptionsApp(), keysmith: { resolveUser, ...keysmith }, keepSchema });
}

describe.each(databaseVariants().slice(0, 1))('keysmithGraphqlWs: GraphQL subscriptions over graphql-ws ($database)', (variant) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startInstance('graphql-ws', variant, {});
  });
  afterAll(() => app?.close());

  it.each([
    ['the connection parameter token', (raw: string) => ({ token: raw })],
    ["the upgrade request's header", (raw: string) => ({ headers: { 'x-keysmith-token': raw } })],
  ])('authenticates %s and hands the token and user to guarded and unguarded subscription resolvers', async (_where, how) => {
    const { token, rawToken } = await app.tokens.create({ name: 'subscriber', userId: '5', scopes: ['read'] });
    const { client } = subscriptionClient(app, how(rawToken));
    try {
      const guarded = collect(client, NOTES);
      const open = collect(client, OPEN_NOTES);
      await publishUntil(guarded.results, 1, 'hello');
      await publishUntil(open.results, 1, 'hello');
      expect(guarded.results[0]).toEqual({ data: { noteAdded: { text: 'hello', tokenPrefix: token.prefix, userName: 'user 5' } } });
      expect(open.results[0]).toEqual({ data: { anyoneNoteAdded: { text: 'hello', tokenPrefix: token.prefix, userName: 'user 5' } } });
    } finally {
      await client.dispose();
    }
  });

  it.each([
    ['without a token', {}, MESSAGES.missingToken, { error_code: 'missing_token' }],
    ['with an invalid token', { token: 'tok_ab12CD34:nope' }, MESSAGES.invalidToken, { error_code: 'invalid_token', reason: 'malformed' }],
  ])('closes a connection %s with 4401 and the message, and audits it', async (_case, options, message, extra) => {
    const agent = uniqueAgent('graphql-ws-refused');
    const { client, closed } = subscriptionClient(app, { ...options, headers: { 'user-agent': agent } });
    const { results, done } = collect(client, NOTES);
    expect(await closed).toEqual({ code: 4401, reason: message });
    await done;
    expect(results).toEqual([]);
    expect(await auditRowsOf(app, agent)).toEqual([expect.objectContaining({ action: 'auth_failed', path: '/graphql', extra })]);
    await client.dispose();
  });

  it('applies @KeysmithScopes() per subscription: a missing scope refuses that subscription only, with insufficientScope', async () => {
    const { rawToken } = await app.tokens.create({ name: 'reader', scopes: ['read'] });
    const { client } = subscriptionClient(app, { token: rawToken });
    try {
      const secrets = collect(client, SECRETS);
      await secrets.done;
      expect(secrets.results).toEqual([{ errors: [expect.objectContaining({ message: MESSAGES.insufficientScope })] }]);
      const notes = collect(client, NOTES);
      await publishUntil(notes.results, 1, 'still here');
    } finally {
      await client.dispose();
    }
  });

  it('closes the connection with 4401 invalidToken when its token is revoked, and sends no event after that', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'revoked-while-subscribed', scopes: ['read'] });
    const { client, closed } = subscriptionClient(app, { token: rawToken });
    const { results } = collect(client, NOTES);
    await publishUntil(results, 1, 'before');
    await app.tokens.revoke(token.id);
    expect(await closed).toEqual({ code: 4401, reason: MESSAGES.invalidToken });
    const received = results.length;
    publishNote('after');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(results).toHaveLength(received);
    await client.dispose();
  });
});

/** Two instances need a database both reach: PostgreSQL when it answers, else an SQLite file. */
const shared = databaseVariants().filter((variant) => variant.database !== 'sqlite-memory');
const sharedDatabase = [shared.find((variant) => variant.database === 'postgres') ?? shared[0]].filter(Boolean);

describe.skipIf(!inject('redis')).each(sharedDatabase)('keysmithGraphqlWs on two instances with Redis ($database)', (variant) => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await startInstance('graphql-ws-redis', variant, { redis: REDIS_URL });
    second = await startInstance('graphql-ws-redis', variant, { redis: REDIS_URL }, true);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('a token revoked through one instance stops its subscription on the other at once', async () => {
    const { token, rawToken } = await first.tokens.create({ name: 'elsewhere', scopes: ['read'] });
    const { client, closed } = subscriptionClient(second, { token: rawToken });
    const { results } = collect(client, NOTES);
    await publishUntil(results, 1, 'before');
    const started = performance.now();
    await first.tokens.revoke(token.id);
    expect(await closed).toEqual({ code: 4401, reason: MESSAGES.invalidToken });
    const ms = performance.now() - started;
    console.log(`[graphql-ws] subscription on the other instance closed ${ms.toFixed(1)} ms after revoke() was called`);
    expect(ms).toBeLessThan(1_000);
    await client.dispose();
  });
});

describe.each(sharedDatabase)('keysmithGraphqlWs on two instances without Redis, cache off ($database)', (variant) => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await startInstance('graphql-ws-no-cache', variant, { cacheTtlSeconds: 0 });
    second = await startInstance('graphql-ws-no-cache', variant, { cacheTtlSeconds: 0 }, true);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('checks the token before each event: the first event after a revoke elsewhere closes the connection instead of arriving', async () => {
    const { token, rawToken } = await first.tokens.create({ name: 'checked-per-event', scopes: ['read'] });
    const { client, closed } = subscriptionClient(second, { token: rawToken });
    const { results } = collect(client, NOTES);
    await publishUntil(results, 1, 'before');
    await first.tokens.revoke(token.id);
    const received = results.length;
    publishNote('after');
    expect(await closed).toEqual({ code: 4401, reason: MESSAGES.invalidToken });
    expect(results).toHaveLength(received);
    await client.dispose();
  });
});
