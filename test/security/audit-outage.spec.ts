import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Like } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TokenAuditLog, type KeysmithModuleOptions } from '../../lib/index.js';
import { call, type Reply } from '../e2e/fixtures/guard-http.js';
import { startProxiedApp, type ProxiedApp } from './fixtures/proxied-app.js';

const UNAVAILABLE = 'Authentication is temporarily unavailable. Try again later.';
const OUTAGE_MS = 4_000;
const CLIENTS = 8;
// SQLite is a file of the process itself: it cannot go away while the application runs.
const servers = inject('databases').filter((database) => database === 'postgres' || database === 'mariadb');

interface Outcome {
  agent: string;
  status: number;
  duringOutage: boolean;
}

/** Sends requests with the token from `CLIENTS` clients until `stop` says so; one user agent per request. */
async function load(app: ProxiedApp, rawToken: string, run: string, stop: () => boolean, outage: () => boolean): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let sent = 0;
  const client = async () => {
    while (!stop()) {
      const agent = `${run}/${sent++}`;
      const duringOutage = outage();
      const { status } = await call(app, '/api/health', { token: rawToken, agent });
      outcomes.push({ agent, status, duringOutage: duringOutage && outage() });
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return outcomes;
}

/** The status codes of the audit rows of each user agent of a run. */
async function auditedStatuses(app: ProxiedApp, run: string): Promise<Map<string, number[]>> {
  const rows = await app.dataSource.getRepository(TokenAuditLog).find({ where: { userAgent: Like(`${run}/%`) } });
  const statuses = new Map<string, number[]>();
  for (const row of rows) statuses.set(row.userAgent!, [...(statuses.get(row.userAgent!) ?? []), row.statusCode!]);
  return statuses;
}

/** How many rows the audit log reported lost to a full buffer. */
function lostToFullBuffer(app: ProxiedApp): number {
  return app.logs
    .filter((entry) => entry.level === 'error' && entry.message.startsWith('The audit buffer was full'))
    .reduce((lost, entry) => lost + Number(/lost (\d+) row/.exec(entry.message)![1]), 0);
}

async function warmToken(app: ProxiedApp): Promise<string> {
  const { rawToken } = await app.tokens.create({ name: 'served from the cache' });
  expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);
  await app.auditLog.flush();
  return rawToken;
}

/** Sends one request a time, each with a user agent of its own. */
async function oneByOne(app: ProxiedApp, rawToken: string, agents: string[]): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (const agent of agents) replies.push(await call(app, '/api/health', { token: rawToken, agent }));
  return replies;
}

const agentsOf = (run: string, from: number, count: number) => Array.from({ length: count }, (_, i) => `${run}/${from + i}`);

describe.each(servers)('audit rows through a database outage on %s', (database) => {
  describe('warm tokens served for a few seconds of refused connections', () => {
    let app: ProxiedApp;
    beforeAll(async () => {
      app = await startProxiedApp({ suite: 'security-audit-outage', database, keysmith: { auditMaxBuffered: 1_000_000 } });
    });
    afterAll(() => app?.close());

    it('writes the audit row of every request answered 200, once the database is back', { timeout: 60_000 }, async () => {
      const rawToken = await warmToken(app);
      const run = `keysmith-audit-outage/${randomUUID()}`;
      let stopped = false;
      let down = false;
      const loaded = load(
        app,
        rawToken,
        run,
        () => stopped,
        () => down,
      );
      await sleep(500);
      app.proxy.setMode('refuse');
      down = true;
      await sleep(OUTAGE_MS);
      app.proxy.setMode('forward');
      down = false;
      await sleep(1_000);
      stopped = true;
      const outcomes = await loaded;
      const flushStart = performance.now();
      await app.auditLog.flush();
      const flushMs = performance.now() - flushStart;

      const audited = await auditedStatuses(app, run);
      const served = outcomes.filter((outcome) => outcome.status === 200);
      const unaudited = served.filter((outcome) => audited.get(outcome.agent)?.join() !== '200');
      console.log(
        `[audit outage] ${database}: ${outcomes.length} requests, ${served.length} answered 200 ` +
          `(${served.filter((outcome) => outcome.duringOutage).length} during the ${OUTAGE_MS / 1000} s outage); ` +
          `${unaudited.length} without their audit row; flush after recovery ${flushMs.toFixed(0)} ms`,
      );

      expect(served.filter((outcome) => outcome.duringOutage).length).toBeGreaterThan(100);
      expect(new Set(outcomes.map((outcome) => outcome.status))).toEqual(new Set([200]));
      expect(unaudited.length).toBe(0);
      expect([...audited.values()].filter((statuses) => statuses.length !== 1)).toEqual([]);
      expect(app.logs.filter((entry) => entry.level === 'error' && /lost \d+ row/.test(entry.message))).toEqual([]);
    });
  });

  it('holds the row of a lifecycle action that the database did not take, and writes it once the database is back', async () => {
    const app = await startProxiedApp({ suite: 'security-audit-lifecycle', database });
    try {
      const { token } = await app.tokens.create({ name: 'revoked by another process' });
      app.proxy.setMode('refuse');
      let recordMs: number;
      try {
        const start = performance.now();
        await app.auditLog.record({ action: 'revoked', tokenId: token.id, extra: { actor_id: 'operator' } });
        recordMs = performance.now() - start;
        await sleep(1_500);
      } finally {
        app.proxy.setMode('forward');
      }
      await app.auditLog.flush();

      expect(recordMs).toBeLessThan(1_000);
      const rows = await app.auditLog.list({ tokenId: token.id, action: 'revoked' });
      expect(rows.map((row) => row.extra)).toEqual([{ actor_id: 'operator' }]);
    } finally {
      await app.close();
    }
  });

  describe.each<KeysmithModuleOptions['auditOnFailure']>(['drop', 'refuse'])(
    'a buffer of 20 rows filled during the outage, auditOnFailure %s',
    (policy) => {
      const bound = { auditMaxBuffered: 20, auditBatchSize: 5, auditFlushIntervalMs: 50, auditOnFailure: policy };
      let app: ProxiedApp;
      beforeAll(async () => {
        app = await startProxiedApp({ suite: `security-audit-bound-${policy}`, database, keysmith: bound });
      });
      afterAll(() => app?.close());

      if (policy === 'drop') {
        it('serves every request, keeps the 20 oldest rows and counts the rest as lost', async () => {
          const rawToken = await warmToken(app);
          const run = `keysmith-audit-drop/${randomUUID()}`;
          const agents = agentsOf(run, 0, 30);
          app.proxy.setMode('refuse');
          let replies: Reply[];
          try {
            replies = await oneByOne(app, rawToken, agents);
            await sleep(1_500);
          } finally {
            app.proxy.setMode('forward');
          }
          await app.auditLog.flush();

          expect(replies.map((reply) => reply.status)).toEqual(agents.map(() => 200));
          const audited = await auditedStatuses(app, run);
          expect([...audited.keys()].sort()).toEqual(agents.slice(0, 20).sort());
          expect(lostToFullBuffer(app)).toBe(10);
        });
      } else {
        it('answers 503 once the buffer is full, and 200 again once the database took the rows', async () => {
          const rawToken = await warmToken(app);
          const run = `keysmith-audit-refuse/${randomUUID()}`;
          app.proxy.setMode('refuse');
          let held: Reply[];
          let refused: Reply[];
          try {
            held = await oneByOne(app, rawToken, agentsOf(run, 0, 20));
            await sleep(50);
            refused = await oneByOne(app, rawToken, agentsOf(run, 20, 5));
          } finally {
            app.proxy.setMode('forward');
          }
          const recoveryStart = performance.now();
          const recovery: Array<{ agent: string; status: number }> = [];
          while (recovery.at(-1)?.status !== 200 && performance.now() - recoveryStart < 10_000) {
            const agent = `${run}/${25 + recovery.length}`;
            recovery.push({ agent, status: (await call(app, '/api/health', { token: rawToken, agent })).status });
            await sleep(20);
          }
          const recoveryMs = performance.now() - recoveryStart;
          await app.auditLog.flush();
          console.log(`[audit outage] ${database}, refuse: 200 again ${recoveryMs.toFixed(0)} ms after the database came back`);

          expect(held.map((reply) => reply.status)).toEqual(held.map(() => 200));
          expect(refused.map((reply) => [reply.status, (reply.body as { message?: string }).message])).toEqual(
            refused.map(() => [503, UNAVAILABLE]),
          );
          expect(recovery.map(({ status }) => status)).toEqual([...recovery.slice(1).map(() => 503), 200]);
          const audited = await auditedStatuses(app, run);
          const servedAgents = [...agentsOf(run, 0, 20), recovery.at(-1)!.agent];
          expect([...audited.keys()].sort()).toEqual(servedAgents.sort());
          expect([...audited.values()].flat()).toEqual(servedAgents.map(() => 200));
          expect(lostToFullBuffer(app)).toBe(0);
        });
      }
    },
  );

  describe('shutdown while the database is still down', () => {
    it('gives up after a bounded wait and reports the rows it could not write', { timeout: 30_000 }, async () => {
      const app = await startProxiedApp({ suite: 'security-audit-shutdown', database, keysmith: { auditFlushIntervalMs: 50 } });
      try {
        const rawToken = await warmToken(app);
        const run = `keysmith-audit-shutdown/${randomUUID()}`;
        app.proxy.setMode('refuse');
        const replies = await oneByOne(app, rawToken, agentsOf(run, 0, 10));
        await sleep(1_500);
        const closeStart = performance.now();
        await app.app.close();
        const closeMs = performance.now() - closeStart;
        console.log(`[audit outage] ${database}: app.close() on a database still down took ${closeMs.toFixed(0)} ms`);

        expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 200));
        expect(closeMs).toBeLessThan(10_000);
        const auditErrors = app.logs
          .filter((entry) => entry.level === 'error' && /audit/.test(entry.message))
          .map((entry) => entry.message);
        expect(auditErrors).toEqual([expect.stringMatching(/before shutdown.*lost 10 row\(s\)/)]);
      } finally {
        await app.proxy.close();
      }
    });
  });
});
