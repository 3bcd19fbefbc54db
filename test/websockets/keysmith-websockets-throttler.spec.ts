import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, auditRowsOf, uniqueAgent } from '../e2e/fixtures/guard-http.js';
import { databaseVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { LIMIT, throttledApp } from '../throttler/fixtures/throttled-app.js';
import { NotesGateway } from './fixtures/notes.gateway.js';
import { connect, send, type ConnectOptions } from './fixtures/socket-client.js';

describe.each(databaseVariants().slice(0, 1))('KeysmithThrottlerGuard in a Socket.IO gateway on %s', (variant) => {
  let app: TestApp;
  const sockets: Socket[] = [];
  const open = async (options: ConnectOptions) => {
    const socket = await connect(app, options);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    const throttled = throttledApp();
    app = await startTestApp({
      suite: 'websockets-throttler',
      variant,
      imports: throttled.imports,
      providers: [...throttled.providers!, NotesGateway],
    });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(() => app?.close());

  it(`counts each token's messages apart and answers past ${LIMIT} with a 429 exception, audited`, async () => {
    const first = await app.tokens.create({ name: 'first', scopes: ['read'] });
    const second = await app.tokens.create({ name: 'second', scopes: ['read'] });
    // Verified once, so that their requests count against each token rather than the client's address.
    await Promise.all([app.tokens.authenticate(first.rawToken), app.tokens.authenticate(second.rawToken)]);
    const agent = uniqueAgent('ws-throttled');
    const limited = await open({ authToken: first.rawToken, agent });
    for (let i = 0; i < LIMIT; i++) expect(await send(limited, 'whoami')).toMatchObject({ ack: { token_prefix: first.token.prefix } });
    expect(await send(limited, 'whoami')).toMatchObject({ exception: { status: 'error', statusCode: 429, message: MESSAGES.rateLimited } });
    // A new connection with the same token shares its count; another token has its own.
    expect(await send(await open({ header: first.rawToken }), 'whoami')).toMatchObject({ exception: { statusCode: 429 } });
    expect(await send(await open({ header: second.rawToken }), 'whoami')).toMatchObject({ ack: { token_prefix: second.token.prefix } });

    const refused = (await auditRowsOf(app, agent)).filter((row) => row.action === 'auth_failed');
    expect(refused).toEqual([
      expect.objectContaining({ tokenId: null, extra: { error_code: 'rate_limited', reason: 'throttler', prefix: first.token.prefix } }),
    ]);
  });
});
