import { Agent } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTokenError, buildToken, parseToken, type ParsedToken } from '../../lib/index.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from '../e2e/fixtures/guard-controllers.js';
import { MESSAGES } from '../e2e/fixtures/guard-http.js';
import { headerValues, shapeOf, type Seeds, type Shape } from './fixtures/header-values.js';
import { asReceived, mapConcurrently, sendHeader, sendableByHttpClient, type WireReply } from './fixtures/wire.js';

const DIRECT_RUNS = 100_000;
const HTTP_RUNS = 3_000;
const HTTP_CONCURRENCY = 16;

const [variant] = databaseVariants();
/** The statements other than the audit log's INSERTs. */
const beyondAuditInserts = (queries: string[]) =>
  queries.filter((sql) => !/^INSERT/i.test(sql) || !sql.includes('keysmith_token_audit_log'));

async function seedTokens(app: TestApp): Promise<Seeds> {
  const created = await Promise.all(['alpha', 'beta', 'gamma', 'delta'].map((name) => app.tokens.create({ name: `fuzz-${name}` })));
  return { rawTokens: created.map(({ rawToken }) => rawToken) };
}

/** What `work` returned, or what it threw. */
function outcomeOf(work: () => unknown): unknown {
  try {
    return work();
  } catch (thrown) {
    return thrown;
  }
}

/**
 * What is wrong with how authenticate() and parseToken() treated a value, or null: both refuse
 * with the reason the format gives, and parseToken() splits a well-formed value exactly.
 */
function verdict(shape: Shape, refused: unknown, parsed: unknown, value: string): string | null {
  if (!(refused instanceof InvalidTokenError)) return `authenticate() gave ${described(refused)}`;
  if (shape !== 'well_formed') {
    if (refused.reason !== shape) return `authenticate() refused it as ${refused.reason}, not ${shape}`;
    if (!(parsed instanceof InvalidTokenError) || parsed.reason !== shape) return `parseToken() gave ${described(parsed)}`;
    return null;
  }
  if (refused.reason !== 'unknown_prefix' && refused.reason !== 'wrong_secret') return `authenticate() refused it as ${refused.reason}`;
  const { prefix, secret } = parsed as ParsedToken;
  return buildToken(prefix, secret) === value ? null : `parseToken() gave ${described(parsed)}`;
}

const described = (outcome: unknown) =>
  outcome instanceof Error ? `${outcome.constructor.name} (${outcome.message})` : JSON.stringify(outcome);

describe(`parseToken and TokenService.authenticate, ${DIRECT_RUNS.toLocaleString('en')} hostile values (${variantName(variant)})`, () => {
  let app: TestApp;
  let seeds: Seeds;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'security-fuzz', variant: variant, keysmith: { hasher: 'sha256' } });
    seeds = await seedTokens(app);
  });
  afterAll(() => app?.close());

  it('refuses every value with InvalidTokenError; a malformed value or a bad checksum costs no query', { timeout: 120_000 }, async () => {
    const shapes: Record<Shape, number> = { malformed: 0, checksum_mismatch: 0, well_formed: 0 };
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(headerValues(seeds, { maxLength: 100_000 }), async (value) => {
        const shape = shapeOf(value);
        shapes[shape]++;
        const queriesBefore = app.queries.length;
        const refused = await app.tokens.authenticate(value).then(
          () => null,
          (thrown: unknown) => thrown,
        );
        const parsed = outcomeOf(() => parseToken(value));
        const problem =
          verdict(shape, refused, parsed, value) ??
          (shape !== 'well_formed' && app.queries.length > queriesBefore ? 'queried the database' : null);
        if (problem) throw new Error(problem);
      }),
      { numRuns: DIRECT_RUNS },
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `[fuzz] authenticate: ${DIRECT_RUNS} values in ${seconds.toFixed(1)} s, all refused (${shapes.malformed} malformed, ` +
        `${shapes.checksum_mismatch} bad checksum, ${shapes.well_formed} well-formed), ${beyondAuditInserts(app.queries).length} queries in all`,
    );
    expect(shapes.malformed + shapes.checksum_mismatch + shapes.well_formed).toBeGreaterThanOrEqual(DIRECT_RUNS);
    expect(shapes.checksum_mismatch).toBeGreaterThan(DIRECT_RUNS / 10);
    expect(shapes.well_formed).toBeGreaterThan(DIRECT_RUNS / 50);
  });
});

describe.each(['express', 'fastify'] as const)(
  `KeysmithGuard over HTTP, ${HTTP_RUNS.toLocaleString('en')} hostile header values on %s`,
  (adapter) => {
    let app: TestApp;
    let seeds: Seeds;
    let agent: Agent;
    beforeAll(async () => {
      app = await startTestApp({
        suite: 'security-fuzz-http',
        variant: { ...variant, adapter },
        controllers: [GuardedApiController],
        keysmith: { auditBatchSize: 1_000 },
      });
      seeds = await seedTokens(app);
      agent = new Agent({ keepAlive: true, maxSockets: HTTP_CONCURRENCY });
    });
    afterAll(async () => {
      agent?.destroy();
      await app?.close();
    });

    const INVALID = { message: MESSAGES.invalidToken, error: 'Unauthorized', statusCode: 401 };
    const MISSING = { message: MESSAGES.missingToken, error: 'Unauthorized', statusCode: 401 };
    const LIMITED = { statusCode: 429, message: MESSAGES.rateLimited };

    /** What is wrong with a reply to a value, or null. */
    function problem(value: string, reply: WireReply, allowed: Record<number, object | null>): string | null {
      const received = asReceived(value);
      const expected = seeds.rawTokens.includes(received) ? { 200: null, 429: LIMITED } : allowed;
      if (!(reply.status in expected)) return `status ${reply.status}`;
      const body = expected[reply.status];
      if (body && reply.text !== JSON.stringify(received === '' ? MISSING : body)) return `body ${reply.text}`;
      if (received.length >= 12 && (reply.text.includes(received) || reply.head.includes(received))) return 'the value is echoed';
      return null;
    }

    async function sendAll(values: string[], allowed: Record<number, object | null>) {
      const replies = await mapConcurrently(values, HTTP_CONCURRENCY, (value) =>
        sendHeader(app.url, '/api/health', 'x-keysmith-token', value, agent),
      );
      const problems = values
        .map((value, index) => ({ value, problem: problem(value, replies[index], allowed) }))
        .filter((entry) => entry.problem !== null);
      const statuses: Record<number, number> = {};
      for (const reply of replies) statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
      return { problems: problems.slice(0, 5).map((entry) => `${JSON.stringify(entry.value.slice(0, 200))}: ${entry.problem}`), statuses };
    }

    it(
      'answers 401 (429 once throttled), never a 5xx, never echoes the value, and queries nothing before the checksum holds',
      { timeout: 120_000 },
      async () => {
        const seed = Date.now();
        const values = fc.sample(headerValues(seeds, { maxLength: 6_000 }), { numRuns: HTTP_RUNS, seed });
        const byHttp = values.filter(sendableByHttpClient);
        const needDatabase = (value: string) => shapeOf(asReceived(value)) === 'well_formed';
        const offline = byHttp.filter((value) => !needDatabase(value));
        const online = byHttp.filter(needDatabase);
        const bytes = values.filter((value) => !sendableByHttpClient(value));
        const started = performance.now();

        const queriesBefore = app.queries.length;
        const offlineResult = await sendAll(offline, { 401: INVALID });
        await app.auditLog.flush();
        expect(beyondAuditInserts(app.queries.slice(queriesBefore)), `seed ${seed}`).toEqual([]);
        expect(offlineResult.problems, `seed ${seed}`).toEqual([]);

        const onlineResult = await sendAll(online, { 401: INVALID, 429: LIMITED });
        expect(onlineResult.problems, `seed ${seed}`).toEqual([]);

        const bytesResult = await sendAll(bytes, { 400: null, 401: INVALID, 429: LIMITED });
        expect(bytesResult.problems, `seed ${seed}`).toEqual([]);
        const seconds = (performance.now() - started) / 1000;

        console.log(
          `[fuzz] ${adapter}: ${values.length} requests in ${seconds.toFixed(1)} s (seed ${seed}): ` +
            `${offline.length} malformed or bad checksum → ${JSON.stringify(offlineResult.statuses)} with 0 token queries; ` +
            `${online.length} well-formed → ${JSON.stringify(onlineResult.statuses)}; ` +
            `${bytes.length} with bytes node:http refuses, over a socket → ${JSON.stringify(bytesResult.statuses)}`,
        );
        expect(values).toHaveLength(HTTP_RUNS);
        expect(offline.length).toBeGreaterThan(HTTP_RUNS / 3);
        expect(online.length).toBeGreaterThan(HTTP_RUNS / 100);
        expect(onlineResult.statuses[429]).toBeGreaterThan(0);
      },
    );

    it('reads a value written with a line break in it up to the break: empty is a missing token', async () => {
      const values = ['\r\n', ' \r\n', '\r\nX-Other: 1', 'not-a-token\r\nX-Other: 1', `${seeds.rawTokens[0]}\r\nX-Other: 1`];
      const result = await sendAll(values, { 400: null, 401: INVALID, 429: LIMITED });
      expect(result.problems).toEqual([]);
      expect(result.statuses[400] ?? 0).toBeLessThan(values.length);
    });
  },
);
