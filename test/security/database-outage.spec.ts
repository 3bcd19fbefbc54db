import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KEYSMITH_ENTITIES, createStandaloneKeysmith } from '../../lib/index.js';
import type { ChildApp } from '../support/child-app.js';
import { MARIADB_URL, POSTGRES_URL, databaseOptions } from '../support/databases.js';
import { TcpProxy, serverOf, type ProxyMode } from '../support/tcp-proxy.js';
import { MESSAGES, call, type Reply } from '../e2e/fixtures/guard-http.js';
import { withChecksum } from './fixtures/header-values.js';
import { CONNECT_TIMEOUT_MS, startProxiedApp, type ProxiedApp } from './fixtures/proxied-app.js';
import { startSample } from './fixtures/sample-app.js';

const CACHE_TTL_MS = 2_000;
const UNAVAILABLE = 'Authentication is temporarily unavailable. Try again later.';
const servers = inject('databases').filter((database) => database === 'postgres' || database === 'mariadb');

interface Timed extends Reply {
  ms: number;
}

describe.each(servers)('the database goes away under a running app on %s', (database) => {
  let app: ProxiedApp;
  beforeAll(async () => {
    app = await startProxiedApp({ suite: 'security-outage', database, keysmith: { cacheTtlSeconds: CACHE_TTL_MS / 1000 } });
  });
  afterAll(() => app?.close());

  async function health(token?: string): Promise<Timed> {
    const start = performance.now();
    const reply = await call(app, '/api/health', token === undefined ? {} : { token });
    return { ...reply, ms: performance.now() - start };
  }

  const unavailableLogs = () =>
    app.logs.filter((entry) => entry.level === 'error' && entry.message.startsWith('Token authentication could not complete'));

  /** A token verified just now (so cached until `cachedUntil`), and tokens the app has never seen. */
  async function tokensBeforeTheFault() {
    const cached = await app.tokens.create({ name: 'verified before the fault' });
    const verifiedAt = performance.now();
    expect((await health(cached.rawToken)).status).toBe(200);
    const unseen = await app.tokens.create({ name: 'never verified' });
    return {
      cached: cached.rawToken,
      cachedUntil: verifiedAt + CACHE_TTL_MS,
      needDatabase: {
        'a valid token never verified': unseen.rawToken,
        'a wrong secret': withChecksum(`${unseen.token.prefix}:WrongWrongWrongWrongWrongWrong42`),
        'an unknown prefix': withChecksum('tok_Nowhere1:NowhereNowhereNowhereNowhereNowher1'),
      },
    };
  }

  async function duringOutage(mode: ProxyMode, limitMs: number) {
    const { cached, cachedUntil, needDatabase } = await tokensBeforeTheFault();
    const logsBefore = unavailableLogs().length;
    app.proxy.setMode(mode);
    try {
      const fromCache = await health(cached);
      const missing = await health();
      const malformed = await health(`${cached.slice(0, -1)}${cached.endsWith('1') ? '2' : '1'}`);
      const refused: Record<string, Timed> = {};
      for (const [kind, token] of Object.entries(needDatabase)) refused[kind] = await health(token);
      await sleep(Math.max(0, cachedUntil - performance.now()) + 100);
      const afterExpiry = await health(cached);

      expect(fromCache.status).toBe(200);
      expect([missing.status, missing.body.message]).toEqual([401, MESSAGES.missingToken]);
      expect([malformed.status, malformed.body.message]).toEqual([401, MESSAGES.invalidToken]);
      for (const [kind, reply] of Object.entries({ ...refused, 'the cached token once its entry expired': afterExpiry })) {
        expect([kind, reply.status, reply.body.message]).toEqual([kind, 503, UNAVAILABLE]);
        expect(reply.ms, kind).toBeLessThan(limitMs);
        expect(reply.text).not.toContain(MESSAGES.invalidToken);
      }
      expect(unavailableLogs().length - logsBefore).toBe(4);
      console.log(
        `[outage] ${database}, ${mode}: 503 after ${Object.values(refused)
          .map((reply) => `${reply.ms.toFixed(0)}`)
          .join(
            ', ',
          )} ms; cached token 200 in ${fromCache.ms.toFixed(0)} ms until its entry expired, then 503 after ${afterExpiry.ms.toFixed(0)} ms`,
      );
    } finally {
      app.proxy.setMode('forward');
    }
    const recoveredAt = performance.now();
    const after = await Promise.all([cached, ...Object.values(needDatabase)].map((token) => health(token)));
    expect(after.map((reply) => reply.status)).toEqual([200, 200, 401, 401]);
    console.log(
      `[outage] ${database}, ${mode}: traffic back, the next requests answered in ${(performance.now() - recoveredAt).toFixed(0)} ms`,
    );
  }

  it('refused connections (the server is down): 503 at once where the database is needed, the cache serves its tokens until they expire, and the app recovers without a restart', async () => {
    await duringOutage('refuse', 1_000);
  });

  it('a cut network (connections accepted, never answered): 503 within the connect timeout rather than a hang, and recovery without a restart', async () => {
    await duringOutage('blackhole', CONNECT_TIMEOUT_MS + 2_000);
  });

  it('keeps the audit rows of a short outage: the failed batch is tried again once the database is back', async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'audited through the outage' });
    expect((await health(rawToken)).status).toBe(200);
    await app.auditLog.flush();
    app.proxy.setMode('refuse');
    const during = await Promise.all(Array.from({ length: 5 }, () => health(rawToken)));
    const written = app.auditLog.flush();
    await sleep(300);
    app.proxy.setMode('forward');
    await written;
    expect(during.map((reply) => reply.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await app.auditLog.list({ tokenId: token.id, action: 'auth_success' })).toHaveLength(6);
  });
});

describe.each(servers)('the sample app when its database server stops, on %s', (database) => {
  let proxy: TcpProxy;
  let sample: ChildApp;
  const tokens: { verified: string; unseen: string } = { verified: '', unseen: '' };
  beforeAll(async () => {
    const connection = await databaseOptions(database, 'security-outage-sample');
    const dataSource = await new DataSource({ ...connection, entities: KEYSMITH_ENTITIES }).initialize();
    const keysmith = await createStandaloneKeysmith(dataSource, { bcryptRounds: 4 });
    tokens.verified = (await keysmith.tokens.create({ name: 'verified' })).rawToken;
    tokens.unseen = (await keysmith.tokens.create({ name: 'unseen' })).rawToken;
    await keysmith.close();
    await dataSource.destroy();
    proxy = await TcpProxy.start(serverOf(database === 'postgres' ? POSTGRES_URL : MARIADB_URL));
    sample = await startSample(proxy.urlFor((connection as { url: string }).url));
  });
  afterAll(async () => {
    await sample?.stop();
    await proxy?.close();
  });

  const health = async (token?: string) =>
    (await fetch(`${sample.url}/api/health`, { headers: token === undefined ? {} : { 'x-keysmith-token': token } })).status;

  it('answers 503, never 401, for what needs the database, serves verified tokens from its cache, and recovers by itself', async () => {
    expect(await health(tokens.verified)).toBe(200);
    proxy.setMode('refuse');
    try {
      const kinds = [tokens.verified, tokens.unseen, undefined] as const;
      const statuses = await Promise.all(Array.from({ length: 60 }, (_, i) => health(kinds[i % 3])));
      expect(new Set(statuses.filter((_, i) => i % 3 === 0))).toEqual(new Set([200]));
      expect(new Set(statuses.filter((_, i) => i % 3 === 1))).toEqual(new Set([503]));
      expect(new Set(statuses.filter((_, i) => i % 3 === 2))).toEqual(new Set([401]));
    } finally {
      proxy.setMode('forward');
    }
    expect(await health(tokens.unseen)).toBe(200);
  });
});
