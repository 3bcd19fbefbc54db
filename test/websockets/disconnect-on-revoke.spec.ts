import type { INestApplication } from '@nestjs/common';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KeysmithModuleOptions } from '../../lib/index.js';
import { TokenConnections } from '../../lib/connections/token-connections.js';
import { KeysmithIoAdapter, type KeysmithSocketRefusal } from '../../lib/socket.io.js';
import { MESSAGES, auditRowsOf, uniqueAgent } from '../e2e/fixtures/guard-http.js';
import { REDIS_URL } from '../support/redis.js';
import { serverOf, TcpProxy } from '../support/tcp-proxy.js';
import { databaseVariants, startTestApp, type AppVariant, type TestApp } from '../support/test-app.js';
import { NotesGateway } from './fixtures/notes.gateway.js';
import { connect, send, type ConnectOptions } from './fixtures/socket-client.js';

const withKeysmithAdapter = (app: INestApplication) => void app.useWebSocketAdapter(new KeysmithIoAdapter(app));

/** Two instances need a database both reach: the first server database of this run, else an SQLite file. */
const shared = databaseVariants().filter((variant) => variant.database !== 'sqlite-memory');
const sharedDatabase = [shared.find((variant) => variant.database === 'postgres') ?? shared[0]].filter(Boolean);

function startInstance(
  variant: AppVariant,
  keysmith: KeysmithModuleOptions,
  keepSchema = false,
  suite = 'websockets-disconnect',
): Promise<TestApp> {
  return startTestApp({
    suite,
    variant,
    providers: [NotesGateway],
    keysmith,
    keepSchema,
    configure: withKeysmithAdapter,
  });
}

/** Resolves with what the server sent before it disconnected the socket, and the reason Socket.IO gives. */
function disconnection(socket: Socket, timeoutMs = 5_000): Promise<{ exception: unknown; reason: string; ms: number }> {
  const started = performance.now();
  let exception: unknown;
  socket.on('exception', (sent: unknown) => (exception = sent));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not disconnected within ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve({ exception, reason, ms: performance.now() - started });
    });
  });
}

/** Resolves `true` if the socket is still connected after `ms`. */
async function staysConnected(socket: Socket, ms = 300): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return socket.connected;
}

const REVOKED: KeysmithSocketRefusal = { status: 'error', statusCode: 401, message: MESSAGES.invalidToken };

describe.skipIf(!inject('redis')).each(sharedDatabase)(
  'KeysmithIoAdapter with disconnectOnRevoke on two instances and Redis (%s)',
  (variant) => {
    let first: TestApp;
    let second: TestApp;
    const sockets: Socket[] = [];
    const open = async (app: TestApp, options: ConnectOptions = {}) => {
      const socket = await connect(app, options);
      sockets.push(socket);
      return socket;
    };

    beforeAll(async () => {
      const keysmith = { redis: REDIS_URL, disconnectOnRevoke: true };
      first = await startInstance(variant, keysmith);
      second = await startInstance(variant, keysmith, true);
    });
    afterEach(() => {
      for (const socket of sockets.splice(0)) socket.close();
    });
    afterAll(async () => {
      await first?.close();
      await second?.close();
    });

    it('refuses a handshake whose token does not authenticate with connect_error carrying the status and message, and audits it', async () => {
      const { token, rawToken } = await first.tokens.create({ name: 'revoked-before', scopes: ['read'] });
      await first.tokens.revoke(token.id);
      for (const [sent, tokenId] of [
        ['tok_ab12CD34:nope', null],
        [rawToken, token.id],
      ] as const) {
        const agent = uniqueAgent('ws-handshake-refused');
        const refused = await open(second, { authToken: sent, agent }).then(
          () => null,
          (error: Error & { data?: unknown }) => error,
        );
        expect(refused?.message).toBe(MESSAGES.invalidToken);
        expect(refused?.data).toEqual(REVOKED);
        expect(await auditRowsOf(second, agent)).toEqual([
          expect.objectContaining({ action: 'auth_failed', tokenId, path: '/socket.io/' }),
        ]);
      }
    });

    it('lets a handshake without a token connect, and leaves its messages to the guard', async () => {
      const socket = await open(second);
      expect(await send(socket, 'whoami')).toMatchObject({ exception: { statusCode: 401, message: MESSAGES.missingToken } });
      expect(await send(socket, 'maybe')).toEqual({ ack: { anonymous: true, token_prefix: null, user: null } });
    });

    it('disconnects the sockets of a token revoked through the other instance, at once, after an exception that says why', async () => {
      const { token, rawToken } = await first.tokens.create({ name: 'revoked-later', scopes: ['read'] });
      const other = await first.tokens.create({ name: 'bystander', scopes: ['read'] });
      const onSecond = await open(second, { authToken: rawToken });
      const onFirst = await open(first, { header: rawToken });
      const bystander = await open(second, { authToken: other.rawToken });
      expect(await send(onSecond, 'whoami')).toMatchObject({ ack: { token_prefix: token.prefix } });

      const disconnections = [disconnection(onSecond), disconnection(onFirst)];
      await first.tokens.revoke(token.id);
      const [remote, local] = await Promise.all(disconnections);
      console.log(`[disconnectOnRevoke] socket on the other instance disconnected ${remote.ms.toFixed(1)} ms after revoke() was called`);
      for (const closed of [remote, local]) expect(closed).toMatchObject({ exception: REVOKED, reason: 'io server disconnect' });
      expect(remote.ms).toBeLessThan(1_000);
      expect(await staysConnected(bystander)).toBe(true);
      expect(await send(bystander, 'whoami')).toMatchObject({ ack: { token_prefix: other.token.prefix } });
    });

    it('disconnects on a rotation and on a purge, and the rotated raw token connects again', async () => {
      const rotated = await first.tokens.create({ name: 'rotated', scopes: ['read'] });
      const purged = await first.tokens.create({ name: 'purged', scopes: ['read'] });
      const sockets = [await open(second, { authToken: rotated.rawToken }), await open(second, { authToken: purged.rawToken })];
      const closed = sockets.map((socket) => disconnection(socket));
      const newRawToken = await first.tokens.rotate(rotated.token.id);
      await first.tokens.purge(purged.token.id);
      for (const { exception } of await Promise.all(closed)) expect(exception).toEqual(REVOKED);

      const again = await open(second, { authToken: newRawToken });
      expect(await send(again, 'whoami')).toMatchObject({ ack: { token_prefix: rotated.token.prefix } });
    });

    it('audits a disconnection as auth_failed with the reason, and forgets a socket once it is gone', async () => {
      const connections = second.app.get(TokenConnections);
      const { token, rawToken } = await first.tokens.create({ name: 'audited', scopes: ['read'] });
      const agent = uniqueAgent('ws-disconnected');
      const socket = await open(second, { authToken: rawToken, agent });
      const kept = connections.size;
      expect(kept).toBeGreaterThan(0);
      const closed = disconnection(socket);
      await first.tokens.revoke(token.id);
      await closed;
      expect(connections.size).toBe(kept - 1);
      expect(await auditRowsOf(second, agent)).toEqual([
        expect.objectContaining({ action: 'auth_success', tokenId: token.id }),
        expect.objectContaining({ action: 'auth_failed', tokenId: token.id, extra: { error_code: 'revoked_token' } }),
      ]);

      const left = await open(second, { authToken: (await first.tokens.create({ name: 'leaves', scopes: ['read'] })).rawToken });
      expect(connections.size).toBe(kept);
      left.close();
      await expect.poll(() => connections.size).toBe(kept - 1);
    });
  },
);

// The second instance reaches Redis through a proxy, so that a test can cut its link while the first announces a revocation.
describe.skipIf(!inject('redis')).each(sharedDatabase)(
  'KeysmithIoAdapter with disconnectOnRevoke while one instance loses Redis (%s)',
  (variant) => {
    let proxy: TcpProxy;
    let first: TestApp;
    let second: TestApp;
    const sockets: Socket[] = [];

    beforeAll(async () => {
      proxy = await TcpProxy.start(serverOf(REDIS_URL));
      const suite = 'websockets-disconnect-outage';
      first = await startInstance(variant, { redis: REDIS_URL, disconnectOnRevoke: true }, false, suite);
      second = await startInstance(variant, { redis: proxy.urlFor(REDIS_URL), disconnectOnRevoke: true }, true, suite);
    });
    afterAll(async () => {
      for (const socket of sockets.splice(0)) socket.close();
      await first?.close();
      await second?.close();
      await proxy?.close();
    });

    it('disconnects the sockets of a token revoked while Redis was out of reach once it answers again, and keeps the others', async () => {
      const revoked = await first.tokens.create({ name: 'revoked-unheard', scopes: ['read'] });
      const kept = await first.tokens.create({ name: 'kept-through-outage', scopes: ['read'] });
      const onSecond = await connect(second, { authToken: revoked.rawToken });
      const bystander = await connect(second, { authToken: kept.rawToken });
      sockets.push(onSecond, bystander);
      expect(await send(onSecond, 'whoami')).toMatchObject({ ack: { token_prefix: revoked.token.prefix } });

      proxy.setMode('refuse');
      await first.tokens.revoke(revoked.token.id);
      // The announcement went out while the second instance could not hear it.
      expect(await staysConnected(onSecond, 500)).toBe(true);

      const closed = disconnection(onSecond, 15_000);
      proxy.setMode('forward');
      const { exception, ms } = await closed;
      console.log(
        `[disconnectOnRevoke] socket of a token revoked during a Redis outage disconnected ${ms.toFixed(0)} ms after the link came back`,
      );
      expect(exception).toEqual(REVOKED);
      expect(await staysConnected(bystander)).toBe(true);
      expect(await send(bystander, 'whoami')).toMatchObject({ ack: { token_prefix: kept.token.prefix } });
    });
  },
);

describe.each(databaseVariants().slice(0, 1))('KeysmithIoAdapter without disconnectOnRevoke ($database)', (variant) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ suite: 'websockets-adapter', variant, providers: [NotesGateway], configure: withKeysmithAdapter });
  });
  afterAll(() => app?.close());

  it('still refuses a bad handshake, but keeps a socket whose token is revoked and refuses its next message', async () => {
    await expect(connect(app, { authToken: 'tok_ab12CD34:nope' })).rejects.toMatchObject({ data: REVOKED });
    const { token, rawToken } = await app.tokens.create({ name: 'kept', scopes: ['read'] });
    const socket = await connect(app, { authToken: rawToken });
    try {
      await app.tokens.revoke(token.id);
      expect(await staysConnected(socket)).toBe(true);
      expect(await send(socket, 'whoami')).toMatchObject({ exception: { statusCode: 401, message: MESSAGES.invalidToken } });
    } finally {
      socket.close();
    }
  });
});
