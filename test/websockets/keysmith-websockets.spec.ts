import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveUser } from '../graphql/fixtures/graphql-app.js';
import { MESSAGES, auditRowsOf, uniqueAgent } from '../e2e/fixtures/guard-http.js';
import { databaseVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { NotesGateway } from './fixtures/notes.gateway.js';
import { connect, send, type ConnectOptions } from './fixtures/socket-client.js';

/** One database is enough here: what is tested is the WebSocket context, not the storage. */
describe.each(databaseVariants().slice(0, 1))('KeysmithGuard in a Socket.IO gateway on %s', (variant) => {
  let app: TestApp;
  const sockets: Socket[] = [];
  const open = async (options: ConnectOptions = {}) => {
    const socket = await connect(app, options);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    app = await startTestApp({ suite: 'websockets', variant, providers: [NotesGateway], keysmith: { resolveUser } });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(() => app?.close());

  it.each([
    ['the handshake header', (raw: string): ConnectOptions => ({ header: raw })],
    ['the handshake auth.token', (raw: string): ConnectOptions => ({ authToken: raw })],
  ])('reads the token from %s and hands token and user to the handler', async (_where, how) => {
    const { token, rawToken } = await app.tokens.create({ name: 'reader', userId: '7', scopes: ['read'] });
    const socket = await open(how(rawToken));
    expect(await send(socket, 'whoami')).toEqual({
      ack: { anonymous: false, token_prefix: token.prefix, user: { id: '7', name: 'user 7' } },
    });
  });

  it('sends a client without a token an exception with statusCode 401 and missingToken, and never runs the handler', async () => {
    const socket = await open();
    expect(await send(socket, 'whoami', { n: 1 })).toEqual({
      exception: { status: 'error', statusCode: 401, message: MESSAGES.missingToken, cause: { pattern: 'whoami', data: { n: 1 } } },
    });
  });

  it('sends an invalid token an exception with statusCode 401 and invalidToken', async () => {
    const socket = await open({ authToken: 'tok_ab12CD34:nope' });
    expect(await send(socket, 'whoami')).toMatchObject({ exception: { status: 'error', statusCode: 401, message: MESSAGES.invalidToken } });
  });

  it('checks every message: a token revoked after the handshake is refused on the next one', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'revoked-later', scopes: ['read'] });
    const socket = await open({ header: rawToken });
    expect(await send(socket, 'whoami')).toMatchObject({ ack: { token_prefix: token.prefix } });
    await app.tokens.revoke(token.id);
    expect(await send(socket, 'whoami')).toMatchObject({ exception: { statusCode: 401, message: MESSAGES.invalidToken } });
  });

  it('applies @KeysmithScopes() of the gateway and of the handler together: 403 insufficientScope', async () => {
    const reader = await app.tokens.create({ name: 'reader', scopes: ['read'] });
    const writer = await app.tokens.create({ name: 'writer', scopes: ['read', 'write'] });
    const refused = await open({ header: reader.rawToken });
    expect(await send(refused, 'add-note', 'hello')).toMatchObject({
      exception: { status: 'error', statusCode: 403, message: MESSAGES.insufficientScope },
    });
    const granted = await open({ header: writer.rawToken });
    expect(await send(granted, 'add-note', 'hello')).toEqual({ ack: `${writer.token.prefix}: hello` });
  });

  it('lets an anonymous client through a @KeysmithOptional() handler with null token and user', async () => {
    const socket = await open();
    expect(await send(socket, 'maybe')).toEqual({ ack: { anonymous: true, token_prefix: null, user: null } });
  });

  it('audits messages with the user agent and address of the handshake', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'audited', scopes: ['read'] });
    const okAgent = uniqueAgent('ws-ok');
    const refusedAgent = uniqueAgent('ws-refused');
    await send(await open({ header: rawToken, agent: okAgent }), 'whoami');
    await send(await open({ agent: refusedAgent }), 'whoami');

    const [success] = await auditRowsOf(app, okAgent);
    expect(success).toMatchObject({ action: 'auth_success', tokenId: token.id, path: '/socket.io/' });
    expect(success.ipAddress).toMatch(/127\.0\.0\.1/);
    expect(await auditRowsOf(app, refusedAgent)).toEqual([
      expect.objectContaining({ action: 'auth_failed', tokenId: null, extra: { error_code: 'missing_token' } }),
    ]);
  });
});

describe.each(databaseVariants().slice(0, 1))('KeysmithGuard in a Socket.IO gateway with allowQueryParam on %s', (variant) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ suite: 'websockets-query', variant, providers: [NotesGateway], keysmith: { allowQueryParam: true } });
  });
  afterAll(() => app?.close());

  it('reads the token from the handshake query', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'query', scopes: ['read'] });
    const socket = await connect(app, { query: { keysmith_token: rawToken } });
    try {
      expect(await send(socket, 'whoami')).toMatchObject({ ack: { token_prefix: token.prefix } });
    } finally {
      socket.close();
    }
  });
});
