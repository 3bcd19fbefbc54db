import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  KEYSMITH_EVENTS,
  KeysmithConfigurationError,
  KeysmithLeakModule,
  buildToken,
  type KeysmithLeakOptions,
  type LeakFeedback,
  type TokenLeakedEvent,
} from '../../lib/index.js';
import type { DatabaseName } from '../support/databases.js';
import { startTestApp, type Adapter, type TestApp } from '../support/test-app.js';

const LEAK_PATH = '/hooks/github/secret-scanning';

interface KeyPair {
  id: string;
  privateKey: KeyObject;
  publicPem: string;
}

function keyPair(id: string): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { id, privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** GitHub's public keys endpoint, on a local port: `{ public_keys: [...] }`, and how often it was asked. */
async function startKeysServer(keys: KeyPair[]): Promise<{ url: string; fetches: () => number; close: () => Promise<void> }> {
  let fetches = 0;
  const server: Server = createServer((_request, response) => {
    fetches++;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ public_keys: keys.map((key) => ({ key_identifier: key.id, key: key.publicPem, is_current: true })) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/meta/public_keys/secret_scanning`,
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface ReportEntry {
  token: string;
  type: string;
  url?: string;
  source?: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every database of the run, on Express and on Fastify. */
function variants(): Array<{ database: DatabaseName; adapter: Adapter }> {
  return inject('databases').flatMap((database) => (['express', 'fastify'] as const).map((adapter) => ({ database, adapter })));
}

describe.each(variants())('the leak endpoint on $database · $adapter', ({ database, adapter }) => {
  const github = keyPair('github-key-1');
  const stranger = keyPair('github-key-1');
  let keysServer: Awaited<ReturnType<typeof startKeysServer>>;
  let app: TestApp;
  let leaked: TokenLeakedEvent[];

  async function startApp(leak: KeysmithLeakOptions, rawBody = true): Promise<TestApp> {
    return startTestApp({
      suite: 'leak_endpoint',
      variant: { database, adapter, registration: 'forRoot' },
      imports: [KeysmithLeakModule.forRoot({ path: LEAK_PATH, ...leak }), EventEmitterModule.forRoot()],
      keepSchema: app !== undefined,
      rawBody,
    });
  }

  async function post(target: TestApp, body: string, headers: Record<string, string>) {
    const response = await fetch(`${target.url}${LEAK_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return { status: response.status, text, json: (text ? JSON.parse(text) : null) as unknown };
  }

  function signed(body: string, by: KeyPair = github): Record<string, string> {
    return {
      'Github-Public-Key-Identifier': by.id,
      'Github-Public-Key-Signature': sign('sha256', Buffer.from(body), by.privateKey).toString('base64'),
    };
  }

  async function report(entries: ReportEntry[], target = app) {
    const body = JSON.stringify(entries);
    return post(target, body, signed(body));
  }

  const isRevoked = async (id: string) => (await app.tokens.get(id)).revoked;

  beforeAll(async () => {
    keysServer = await startKeysServer([github]);
    app = await startApp({ publicKeysUrl: keysServer.url });
    leaked = [];
    app.app.get(EventEmitter2).on(KEYSMITH_EVENTS.leaked, (event: TokenLeakedEvent) => void leaked.push(event));
  });
  afterAll(async () => {
    await app?.close();
    await keysServer?.close();
  });

  it('revokes a reported token, answers the partner feedback with labels, audits and announces it once', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'leaked' });
    const wrongSecret = buildToken(token.prefix, 'A'.repeat(32));
    const unknownPrefix = buildToken('tok_Unknown0', 'B'.repeat(32));
    const entries = [
      { token: rawToken, type: 'keysmith_token', url: 'https://github.com/octo/app/blob/abc/config.js', source: 'content' },
      { token: wrongSecret, type: 'keysmith_token', url: 'https://github.com/octo/app/blob/abc/test.js', source: 'commit' },
      { token: unknownPrefix, type: 'keysmith_token' },
      { token: 'ghp_16C7e42F292c6912E7710c838347Ae178B4a', type: 'keysmith_token' },
    ];

    const first = await report(entries);
    expect(first.status).toBe(200);
    expect(first.json).toEqual(
      entries.map((entry, index): LeakFeedback => ({
        token_hash: sha256(entry.token),
        token_type: 'keysmith_token',
        label: index === 0 ? 'true_positive' : 'false_positive',
      })),
    );
    expect(await isRevoked(token.id)).toBe(true);

    await app.auditLog.flush();
    const [leakedRow] = await app.auditLog.list({ tokenId: token.id, action: 'leaked' });
    expect(leakedRow.extra).toEqual({ url: entries[0].url, source: 'content', type: 'keysmith_token', action: 'revoke' });
    const [revokedRow] = await app.auditLog.list({ tokenId: token.id, action: 'revoked' });
    expect(revokedRow.extra).toEqual({ source: 'leak', location: entries[0].url });
    expect(leaked).toHaveLength(1);
    expect(leaked[0]).toMatchObject({
      token: { id: token.id, state: 'revoked' },
      url: entries[0].url,
      source: 'content',
      type: 'keysmith_token',
      action: 'revoke',
      revoked: true,
      actorId: null,
    });
    const secret = rawToken.slice(rawToken.indexOf(':') + 1, -6);
    for (const text of [first.text, JSON.stringify(leaked), JSON.stringify(await app.auditLog.list({ tokenId: token.id }))]) {
      expect(text).not.toContain(secret);
    }

    // The same report again: the same answer, and nothing more happens.
    const replay = await report(entries);
    expect(replay).toEqual(first);
    await app.auditLog.flush();
    expect(await app.auditLog.list({ tokenId: token.id, action: 'leaked' })).toHaveLength(1);
    expect(await app.auditLog.list({ tokenId: token.id, action: 'revoked' })).toHaveLength(1);
    expect(leaked).toHaveLength(1);
  });

  it('refuses with 401, and revokes nothing, a tampered body, an unknown key, a wrong or missing signature', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'forged-reports' });
    const body = JSON.stringify([{ token: rawToken, type: 'keysmith_token', url: 'https://example.test/x', source: 'content' }]);
    const tampered = body.replace('example.test', 'example.evil');
    const forged = [
      ['a tampered body', tampered, signed(body)],
      ['an unknown key id', body, { ...signed(body), 'Github-Public-Key-Identifier': 'github-key-9' }],
      ['a signature by another key', body, signed(body, stranger)],
      ['a signature that is not one', body, { ...signed(body), 'Github-Public-Key-Signature': 'bm90IGEgc2lnbmF0dXJl' }],
      ['no signature', body, { 'Github-Public-Key-Identifier': github.id }],
      ['no headers', body, {}],
    ] as const;
    for (const [what, sent, headers] of forged) {
      const answer = await post(app, sent, headers);
      expect(answer.status, what).toBe(401);
    }
    expect(await isRevoked(token.id)).toBe(false);
    await app.auditLog.flush();
    expect(await app.auditLog.list({ tokenId: token.id, action: 'leaked' })).toEqual([]);
    expect(leaked.filter((event) => event.token.id === token.id)).toEqual([]);
  });

  it('refuses with 400 a body that is not a report, and one over maxBodyBytes before looking at its signature', async () => {
    for (const body of ['{"token":"x"}', '[{"type":"keysmith_token"}]', '[{"token":"x","type":7}]', '"[]"', '[1]']) {
      expect((await post(app, body, signed(body))).status, body).toBe(400);
    }
    expect((await post(app, '[{"token": ', signed('[{"token": '))).status).toBe(400);
    const oversized = JSON.stringify([{ token: 'x'.repeat(70_000), type: 'keysmith_token' }]);
    const answer = await post(app, oversized, {});
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('larger than 65536 bytes');
  });

  it('fetches the keys once and keeps them for publicKeysCacheSeconds', async () => {
    const before = keysServer.fetches();
    for (let round = 0; round < 3; round++) expect((await report([{ token: 'nothing', type: 'keysmith_token' }])).status).toBe(200);
    expect(keysServer.fetches()).toBe(before);
    expect(before).toBe(1);
  });

  it("with action 'notify', announces and audits a leaked token without revoking it; with given publicKeys", async () => {
    const notifying = await startApp({ publicKeys: [{ key_identifier: github.id, key: github.publicPem }], action: 'notify' });
    const events: TokenLeakedEvent[] = [];
    notifying.app.get(EventEmitter2).on(KEYSMITH_EVENTS.leaked, (event: TokenLeakedEvent) => void events.push(event));
    try {
      const { token, rawToken } = await notifying.tokens.create({ name: 'notify-only' });
      const entries = [{ token: rawToken, type: 'keysmith_token', url: 'https://gist.github.com/x', source: 'gist' }];
      for (let round = 0; round < 2; round++) {
        const answer = await report(entries, notifying);
        expect(answer.json).toEqual([{ token_hash: sha256(rawToken), token_type: 'keysmith_token', label: 'true_positive' }]);
      }
      expect((await notifying.tokens.get(token.id)).revoked).toBe(false);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ action: 'notify', revoked: false, token: { state: 'active' }, url: 'https://gist.github.com/x' });
      await notifying.auditLog.flush();
      expect((await notifying.auditLog.list({ tokenId: token.id, action: 'leaked' })).map((row): unknown => row.extra.action)).toEqual([
        'notify',
      ]);
    } finally {
      await notifying.close();
    }
  });

  it('answers 500 and says what to do when the application does not keep the raw body', async () => {
    const withoutRawBody = await startApp({ publicKeysUrl: keysServer.url }, false);
    try {
      const answer = await report([{ token: randomUUID(), type: 'keysmith_token' }], withoutRawBody);
      expect(answer.status).toBe(500);
      expect(withoutRawBody.logs.map((entry) => entry.message).join('\n')).toContain('{ rawBody: true }');
    } finally {
      await withoutRawBody.close();
    }
  });
});

describe('KeysmithLeakModule options', () => {
  const { publicPem } = keyPair('k');
  it.each([
    [
      { publicKeys: [{ key_identifier: 'k', key: publicPem }], publicKeysUrl: 'https://example.test/keys' },
      'KeysmithLeakModule publicKeys',
    ],
    [{ publicKeys: [{ key_identifier: 'k', key: 'not a key' }] }, 'KeysmithLeakModule publicKeys[0]'],
    [{ publicKeys: [] }, 'KeysmithLeakModule publicKeys'],
    [{ publicKeysUrl: 'ftp://example.test/keys' }, 'KeysmithLeakModule publicKeysUrl'],
    [{ action: 'delete' }, 'KeysmithLeakModule action'],
    [{ path: 'hooks?x' }, 'KeysmithLeakModule path'],
    [{ maxBodyBytes: 0 }, 'KeysmithLeakModule maxBodyBytes'],
    [{ publicKeysCacheSeconds: 0 }, 'KeysmithLeakModule publicKeysCacheSeconds'],
    [{ secret: 'x' }, 'KeysmithLeakModule secret'],
  ])('refuses %j, naming %s', (options, option) => {
    const register = () => KeysmithLeakModule.forRoot(options as KeysmithLeakOptions);
    expect(register).toThrow(KeysmithConfigurationError);
    expect(register).toThrow(`"${option}"`);
  });

  it('refuses a key that is not ECDSA P-256', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => KeysmithLeakModule.forRoot({ publicKeys: [{ key_identifier: 'k', key: pem }] })).toThrow('publicKeys[0]');
  });
});
