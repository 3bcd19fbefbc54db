import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRetention, KeysmithClaim, KeysmithValidationError, TokenAuditLog } from '../../lib/index.js';
import { insertRows } from '../../lib/audit/insert-rows.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { auditRows as rows } from './fixtures/audit-rows.js';
import { GuardedApiController } from './fixtures/guard-controllers.js';
import { call } from './fixtures/guard-http.js';

const DAY_MS = 24 * 60 * 60 * 1000;

async function seed(app: TestApp, all: TokenAuditLog[]): Promise<void> {
  const repository = app.dataSource.getRepository(TokenAuditLog);
  for (let start = 0; start < all.length; start += 500) await insertRows(repository, all.slice(start, start + 500));
}

/** The rows left, as `<action> <age in whole days>` counts. */
async function ages(app: TestApp): Promise<Record<string, number>> {
  const left = await app.dataSource.getRepository(TokenAuditLog).find({ select: { action: true, createdAt: true } });
  const counts: Record<string, number> = {};
  for (const row of left) {
    const key = `${row.action} ${Math.floor((Date.now() - row.createdAt.getTime()) / DAY_MS)}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Old rows in several batches of the prune, and rows of every younger age, lifecycle rows one day short of the limit among them. */
const MANY_AGES = () => [
  ...rows(2_300, 'auth_success', 400),
  ...rows(150, 'auth_failed', 120),
  ...rows(3, 'created', 91),
  ...rows(4, 'revoked', 89),
  ...rows(2, 'created', 89),
  ...rows(5, 'auth_success', 30),
  ...rows(6, 'auth_failed', 0),
];
const YOUNGER_THAN_90_DAYS = { 'revoked 89': 4, 'created 89': 2, 'auth_success 30': 5, 'auth_failed 0': 6 };

describe.each(databaseVariants())('AuditLogService.prune on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'audit-prune', variant });
  });
  afterAll(() => app?.close());

  it(`deletes every row older than the moment and none younger, lifecycle rows included (${variantName(variant)})`, async () => {
    await seed(app, MANY_AGES());
    expect(await app.auditLog.prune(new Date(Date.now() - 90 * DAY_MS))).toBe(2_453);
    expect(await ages(app)).toEqual(YOUNGER_THAN_90_DAYS);
    expect(await app.auditLog.prune(new Date(Date.now() - 90 * DAY_MS))).toBe(0);
    await expect(app.auditLog.prune(new Date('nope'))).rejects.toBeInstanceOf(KeysmithValidationError);
  });
});

const sharedDatabases = databaseVariants().filter((variant) => variant.database !== 'sqlite-memory');

describe.each(sharedDatabases)('auditRetentionDays on two instances of $database', (variant) => {
  let first: TestApp;
  let second: TestApp;
  const retention = (app: TestApp) => app.app.get(AuditRetention);

  beforeAll(async () => {
    // The tables and the old rows come first, so that the first instance's startup prune finds them.
    const setup = await startTestApp({ suite: 'audit-retention', variant });
    await seed(setup, MANY_AGES());
    await setup.close();
    const options = { suite: 'audit-retention', variant, keepSchema: true, controllers: [GuardedApiController] };
    first = await startTestApp({ ...options, keysmith: { auditRetentionDays: 90 } });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it(`prunes at startup, keeping every row younger than auditRetentionDays (${variantName(variant)})`, async () => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !first.logs.some((entry) => entry.message.startsWith('Deleted '))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await ages(first)).toEqual(YOUNGER_THAN_90_DAYS);
    const [claim] = await first.dataSource.getRepository(KeysmithClaim).find();
    expect(claim).toMatchObject({ name: 'audit-retention' });
    expect(claim.expiresAt.getTime()).toBeGreaterThan(Date.now() + 50 * 60 * 1000);
    expect(first.logs).toContainEqual({ level: 'log', message: 'Deleted 2453 audit row(s) older than 90 days (auditRetentionDays).' });
  });

  it(`lets one instance at a time prune, until its claim expires (${variantName(variant)})`, async () => {
    second = await startTestApp({
      suite: 'audit-retention',
      variant,
      keepSchema: true,
      controllers: [GuardedApiController],
      keysmith: { auditRetentionDays: 90 },
    });
    await seed(first, rows(1_200, 'auth_success', 100));
    expect(await Promise.all([retention(first).run(), retention(second).run()])).toEqual([1_200, null]);
    await seed(first, rows(10, 'auth_success', 100));
    expect(await retention(second).run()).toBeNull();

    // Another hour: the claim has expired, and whichever instance asks first takes it.
    await first.dataSource.getRepository(KeysmithClaim).update({ name: 'audit-retention' }, { expiresAt: new Date(Date.now() - 1_000) });
    expect((await Promise.all([retention(second).run(), retention(first).run()])).sort()).toEqual([10, null]);
    expect(await ages(first)).toEqual(YOUNGER_THAN_90_DAYS);
  });

  it(`authenticates requests while a prune of 20,000 rows runs (${variantName(variant)})`, async () => {
    const { rawToken } = await first.tokens.create({ name: 'during-prune' });
    await seed(first, rows(20_000, 'auth_success', 365));
    await first.dataSource.getRepository(KeysmithClaim).update({ name: 'audit-retention' }, { expiresAt: new Date(Date.now() - 1_000) });

    let pruning = true;
    const statuses: number[] = [];
    const latencies: number[] = [];
    const traffic = Array.from({ length: 4 }, async () => {
      while (pruning) {
        const started = performance.now();
        statuses.push((await call(first, '/api/health', { token: rawToken })).status);
        latencies.push(performance.now() - started);
      }
    });
    const started = performance.now();
    const deleted = await retention(first).run();
    const elapsed = performance.now() - started;
    pruning = false;
    await Promise.all(traffic);
    latencies.sort((a, b) => a - b);
    console.log(
      `[audit retention] ${variant.database}: ${deleted} rows in ${elapsed.toFixed(0)} ms; ${statuses.length} requests meanwhile, ` +
        `p50 ${latencies[Math.floor(latencies.length / 2)].toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`,
    );
    expect(deleted).toBe(20_000);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200)).toBe(true);
    await first.auditLog.flush();
    expect(await first.auditLog.list({ action: 'auth_success', since: new Date(Date.now() - 60_000), limit: 1 })).toHaveLength(1);
  }, 60_000);
});
