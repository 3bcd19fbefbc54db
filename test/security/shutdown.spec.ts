import { Agent, request } from 'node:http';
import { DataSource } from 'typeorm';
import { describe, expect, inject, it } from 'vitest';
import { KEYSMITH_ENTITIES, createStandaloneKeysmith } from '../../lib/index.js';
import type { ChildApp } from '../support/child-app.js';
import { databaseOptions } from '../support/databases.js';
import { startSample } from './fixtures/sample-app.js';

const LOAD_BEFORE_SIGTERM_MS = 1_500;
const WORKERS = 12;

interface Outcome {
  agent: string;
  status: number | 'no answer';
}

function get(baseUrl: string, headers: Record<string, string>, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${baseUrl}/api/health`, { headers, agent, timeout: 10_000 }, (incoming) => {
      incoming.resume();
      incoming.on('end', () => resolve(incoming.statusCode ?? 0));
      incoming.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('no answer in 10 s')));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Keeps `WORKERS` clients sending until the app has exited; every request has a user agent of its own. */
async function load(app: ChildApp, rawToken: string, stopped: Promise<unknown>): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let running = true;
  void stopped.then(() => (running = false));
  const tokens = [rawToken, undefined, `${rawToken.slice(0, -6)}000000`];
  const agent = new Agent({ keepAlive: true, maxSockets: WORKERS });
  let sent = 0;
  const worker = async () => {
    while (running) {
      const id = sent++;
      const userAgent = `keysmith-shutdown/${id}`;
      const token = tokens[id % tokens.length];
      const headers: Record<string, string> = { 'user-agent': userAgent, ...(token ? { 'x-keysmith-token': token } : {}) };
      try {
        outcomes.push({ agent: userAgent, status: await get(app.url, headers, agent) });
      } catch {
        outcomes.push({ agent: userAgent, status: 'no answer' });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  agent.destroy();
  return outcomes;
}

const servers = inject('databases').filter((database) => database === 'postgres' || database === 'mariadb');

describe.each(servers)('SIGTERM to the sample app under load on %s', (database) => {
  it('writes the audit row of every request it answered before it exits', { timeout: 60_000 }, async () => {
    const connection = await databaseOptions(database, 'security-shutdown');
    const dataSource = await new DataSource({ ...connection, entities: KEYSMITH_ENTITIES }).initialize();
    try {
      const keysmith = await createStandaloneKeysmith(dataSource, { bcryptRounds: 4 });
      const { rawToken } = await keysmith.tokens.create({ name: 'under load' });
      await keysmith.close();

      const app = await startSample((connection as { url: string }).url);
      const exited = app.exited;
      const loaded = load(app, rawToken, exited);
      await new Promise((resolve) => setTimeout(resolve, LOAD_BEFORE_SIGTERM_MS));
      const signalledAt = performance.now();
      const exit = await app.stop('SIGTERM');
      const exitMs = performance.now() - signalledAt;
      const outcomes = await loaded;

      const rows: Array<{ user_agent: string; status_code: number }> = await dataSource.query(
        `SELECT user_agent, status_code FROM keysmith_token_audit_log WHERE user_agent LIKE 'keysmith-shutdown/%'`,
      );
      const written = new Map<string, number[]>();
      for (const row of rows) written.set(row.user_agent, [...(written.get(row.user_agent) ?? []), Number(row.status_code)]);
      const answered = outcomes.filter((outcome) => outcome.status !== 'no answer');
      const statuses = answered.reduce<Record<string, number>>(
        (counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }),
        {},
      );
      console.log(
        `[shutdown] ${database}: ${outcomes.length} requests, ${answered.length} answered ${JSON.stringify(statuses)}, ` +
          `${outcomes.length - answered.length} not answered; ${rows.length} audit rows written; exit ${exit.signal ?? exit.code} ${exitMs.toFixed(0)} ms after SIGTERM`,
      );

      expect(exit.signal === 'SIGTERM' || exit.code === 0, app.output()).toBe(true);
      expect(app.output()).not.toMatch(/Could not write audit rows|lost \d+ row/);
      expect(answered.length).toBeGreaterThan(100);
      expect(Object.keys(statuses).sort()).toEqual(['200', '401']);
      expect(answered.filter(({ agent, status }) => written.get(agent)?.join() !== String(status))).toEqual([]);
      expect([...written.values()].filter((statusCodes) => statusCodes.length !== 1)).toEqual([]);
      expect(rows.length).toBe(answered.length);
    } finally {
      await dataSource.destroy();
    }
  });
});
