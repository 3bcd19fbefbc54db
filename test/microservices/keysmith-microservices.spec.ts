import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MESSAGES, auditRowsOf, uniqueAgent } from '../e2e/fixtures/guard-http.js';
import { resolveUser } from '../graphql/fixtures/graphql-app.js';
import { databaseVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { MessageClient, MessagesController, PATTERNS, receivedNotes, withMicroservice, type Broker } from './fixtures/messages-app.js';

const variant = databaseVariants()[0];
const brokers = (['nats', 'rabbitmq'] as const).filter((broker) => inject('brokers')[broker]);

describe.each(brokers)('KeysmithGuard on message handlers over %s', (broker: Broker) => {
  let app: TestApp;
  let client: MessageClient;
  const token = (raw: string, agent = uniqueAgent(`${broker}-message`)) => ({ 'x-keysmith-token': raw, 'user-agent': agent });

  beforeAll(async () => {
    app = await startTestApp({
      suite: `microservices-${broker}`,
      variant,
      controllers: [MessagesController],
      keysmith: { resolveUser },
      configure: withMicroservice(broker),
    });
    client = new MessageClient(broker);
    await client.proxy.connect();
  });
  afterAll(async () => {
    await client?.close();
    await app?.close();
  });

  it("reads the token from the message's headers and hands token and user to the handler, with an auth_success row", async () => {
    const { token: created, rawToken } = await app.tokens.create({ name: `${broker}-reader`, userId: '3', scopes: ['read'] });
    const agent = uniqueAgent(`${broker}-ok`);
    expect(await client.send(PATTERNS.whoami, { n: 1 }, token(rawToken, agent))).toEqual({
      answer: { token_prefix: created.prefix, user: { id: '3', name: 'user 3' }, data: { n: 1 } },
    });
    expect(await auditRowsOf(app, agent)).toEqual([
      expect.objectContaining({ action: 'auth_success', tokenId: created.id, path: PATTERNS.whoami, ipAddress: null }),
    ]);
  });

  it('refuses with an RpcException carrying the status and the message: no token, an invalid or revoked token, a missing scope', async () => {
    const reader = await app.tokens.create({ name: `${broker}-scoped`, scopes: ['read'] });
    const revoked = await app.tokens.create({ name: `${broker}-revoked`, scopes: ['read'] });
    await app.tokens.revoke(revoked.token.id);
    const cases: Array<{ pattern: string; headers: Record<string, string>; statusCode: number; message: string; extra: object }> = [
      { pattern: PATTERNS.whoami, headers: {}, statusCode: 401, message: MESSAGES.missingToken, extra: { error_code: 'missing_token' } },
      {
        pattern: PATTERNS.whoami,
        headers: { 'x-keysmith-token': 'tok_ab12CD34:nope' },
        statusCode: 401,
        message: MESSAGES.invalidToken,
        extra: { error_code: 'invalid_token', reason: 'malformed' },
      },
      {
        pattern: PATTERNS.whoami,
        headers: { 'x-keysmith-token': revoked.rawToken },
        statusCode: 401,
        message: MESSAGES.invalidToken,
        extra: { error_code: 'revoked_token' },
      },
      {
        pattern: PATTERNS.write,
        headers: { 'x-keysmith-token': reader.rawToken },
        statusCode: 403,
        message: MESSAGES.insufficientScope,
        extra: { error_code: 'insufficient_scope', missing_scopes: ['write'] },
      },
    ];
    for (const { pattern, headers, statusCode, message, extra } of cases) {
      const agent = uniqueAgent(`${broker}-refused`);
      expect(await client.send(pattern, 'x', { ...headers, 'user-agent': agent })).toEqual({
        error: { status: 'error', statusCode, message },
      });
      expect(await auditRowsOf(app, agent)).toEqual([expect.objectContaining({ action: 'auth_failed', path: pattern, extra })]);
    }
  });

  it('runs an event handler for a valid token only, and audits the refused event', async () => {
    const { rawToken } = await app.tokens.create({ name: `${broker}-events`, scopes: ['read'] });
    const agent = uniqueAgent(`${broker}-event-refused`);
    await client.emit(PATTERNS.note, `${broker}: refused`, { 'user-agent': agent });
    await client.emit(PATTERNS.note, `${broker}: accepted`, token(rawToken));
    await expect.poll(() => receivedNotes).toContain(`${broker}: accepted`);
    expect(receivedNotes).not.toContain(`${broker}: refused`);
    await expect.poll(() => auditRowsOf(app, agent)).toEqual([expect.objectContaining({ action: 'auth_failed', path: PATTERNS.note })]);
  });
});
