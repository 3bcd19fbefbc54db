import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { In } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ExpiryWarningScanner,
  KEYSMITH_EVENTS,
  KeysmithConfigurationError,
  Token,
  resolveKeysmithOptions,
  type ExpiryScanResult,
  type KeysmithModuleOptions,
  type TokenExpiredEvent,
  type TokenExpiringEvent,
} from '../../lib/index.js';
import { cliDatabases } from '../cli/cli-database.js';
import type { DatabaseName } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

type Notice = { name: string; instance: number; payload: TokenExpiringEvent | TokenExpiredEvent };

const inFromNow = (ms: number) => new Date(Date.now() + ms);

/** Two application instances on one database, each listening for the expiry events. */
async function startInstances(suite: string, database: DatabaseName, keysmith: KeysmithModuleOptions) {
  const notices: Notice[] = [];
  const apps: TestApp[] = [];
  for (const instance of [0, 1]) {
    const app = await startTestApp({
      suite,
      variant: { database, adapter: 'express', registration: 'forRoot' },
      keysmith,
      imports: [EventEmitterModule.forRoot()],
      keepSchema: instance === 1,
    });
    for (const name of [KEYSMITH_EVENTS.expiring, KEYSMITH_EVENTS.expired]) {
      app.app.get(EventEmitter2).on(name, (payload: Notice['payload']) => void notices.push({ name, instance, payload }));
    }
    apps.push(app);
  }
  return { apps, notices };
}

function added(results: ExpiryScanResult[]): ExpiryScanResult {
  return results.reduce((sum, result) => ({ expiring: sum.expiring + result.expiring, expired: sum.expired + result.expired }));
}

describe.each(cliDatabases())('expiry warnings from two instances on one %s database', (database) => {
  let apps: TestApp[];
  let notices: Notice[];
  const scanBoth = async () => added(await Promise.all(apps.map((app) => app.app.get(ExpiryWarningScanner).scan())));
  const setExpiry = (token: Token, expiresAt: Date) => apps[0].dataSource.getRepository(Token).update({ id: token.id }, { expiresAt });
  const create = async (name: string, expiresAt: Date | null) => (await apps[0].tokens.create({ name, expiresAt })).token;

  beforeAll(async () => {
    // An hour between automatic scans: the scans below are the ones the test runs.
    ({ apps, notices } = await startInstances('expiry_warnings', database, {
      expiryWarnings: { daysBefore: [7, 1], scanIntervalSeconds: 3_600 },
    }));
  });
  afterAll(async () => {
    for (const app of apps ?? []) await app.close();
  });
  beforeEach(async () => {
    await apps[0].dataSource.getRepository(Token).update({ revoked: false }, { revoked: true });
    notices.length = 0;
  });

  it('sends each threshold and each expiry once, from one instance, with its audit row; never for far, old, revoked or endless tokens', async () => {
    const inFiveDays = await create('in-five-days', inFromNow(5 * DAY_MS));
    const inTwelveHours = await create('in-twelve-hours', inFromNow(12 * HOUR_MS));
    const expired = await create('expired-a-minute-ago', inFromNow(-60_000));
    await create('in-thirty-days', inFromNow(30 * DAY_MS));
    await create('expired-ten-days-ago', inFromNow(-10 * DAY_MS));
    await create('never', null);
    const revoked = await create('revoked', inFromNow(2 * DAY_MS));
    await apps[0].tokens.revoke(revoked);

    // The scan each instance runs at startup may still be reading while these tokens are created
    // (seen on a loaded machine), and then sends some of them: all the scans together send each once.
    await scanBoth();
    await vi.waitFor(() => expect(notices).toHaveLength(3));
    expect(await scanBoth()).toEqual({ expiring: 0, expired: 0 });

    const byToken = Object.fromEntries(notices.map((notice) => [notice.payload.token.name, notice]));
    expect(notices).toHaveLength(3);
    expect(byToken['in-five-days']).toMatchObject({ name: KEYSMITH_EVENTS.expiring, payload: { daysBefore: 7, actorId: null } });
    expect(byToken['in-twelve-hours']).toMatchObject({ name: KEYSMITH_EVENTS.expiring, payload: { daysBefore: 1 } });
    expect(byToken['expired-a-minute-ago']).toMatchObject({ name: KEYSMITH_EVENTS.expired, payload: { token: { state: 'expired' } } });
    expect((byToken['in-five-days'].payload as TokenExpiringEvent).expiresAt.getTime()).toBe(inFiveDays.expiresAt!.getTime());
    expect(Object.keys(byToken['in-five-days'].payload.token)).not.toContain('key');

    await apps[0].auditLog.flush();
    const rows = await apps[0].auditLog.list({ action: 'expiry_warning' });
    const warned = rows.filter((row) => [inFiveDays.id, inTwelveHours.id].includes(row.tokenId!));
    expect(warned.map((row): unknown[] => [row.tokenId, row.extra.days_before]).sort()).toEqual(
      [
        [inFiveDays.id, 7],
        [inTwelveHours.id, 1],
      ].sort(),
    );
    expect(warned.find((row) => row.tokenId === inFiveDays.id)!.extra.expires_at).toBe(inFiveDays.expiresAt!.toISOString());
    expect((await apps[0].auditLog.list({ action: 'expired', tokenId: expired.id })).map((row) => row.extra)).toEqual([
      { expires_at: expired.expiresAt!.toISOString() },
    ]);
  });

  it('sends the next threshold once it is reached, and warns again before an expiry that was moved', async () => {
    const token = await create('moving', inFromNow(5 * DAY_MS));
    expect(await scanBoth()).toEqual({ expiring: 1, expired: 0 });

    await setExpiry(token, inFromNow(6 * HOUR_MS));
    expect(await scanBoth()).toEqual({ expiring: 1, expired: 0 });
    await setExpiry(token, inFromNow(-1_000));
    expect(await scanBoth()).toEqual({ expiring: 0, expired: 1 });
    await setExpiry(token, inFromNow(3 * DAY_MS));
    expect(await scanBoth()).toEqual({ expiring: 1, expired: 0 });
    expect(await scanBoth()).toEqual({ expiring: 0, expired: 0 });

    expect(notices.map((notice) => [notice.name, (notice.payload as Partial<TokenExpiringEvent>).daysBefore ?? null])).toEqual([
      [KEYSMITH_EVENTS.expiring, 7],
      [KEYSMITH_EVENTS.expiring, 1],
      [KEYSMITH_EVENTS.expired, null],
      [KEYSMITH_EVENTS.expiring, 7],
    ]);
  });

  it('shares out a batch between instances that scan at the same moment, each notice sent once', async () => {
    const many = await Promise.all(
      Array.from({ length: 40 }, (_, index) => create(`batch-${index}`, inFromNow(2 * DAY_MS + index * 1_000))),
    );
    const rounds = await Promise.all([scanBoth(), scanBoth(), scanBoth()]);
    expect(added(rounds)).toEqual({ expiring: 40, expired: 0 });
    expect(notices).toHaveLength(40);
    expect(new Set(notices.map((notice) => notice.payload.token.id))).toEqual(new Set(many.map((token) => token.id)));
    const rows = await apps[0].auditLog.list({ action: 'expiry_warning', limit: 1_000 });
    expect(rows.filter((row) => many.some((token) => token.id === row.tokenId))).toHaveLength(40);
  });

  it('scans every scanIntervalSeconds on its own', async () => {
    const { apps: quick, notices: quickNotices } = await startInstances('expiry_warnings_interval', database, {
      expiryWarnings: { daysBefore: [1], scanIntervalSeconds: 0.2 },
    });
    try {
      const token = (await quick[0].tokens.create({ name: 'soon', expiresAt: inFromNow(HOUR_MS) })).token;
      await expect.poll(() => quickNotices.length, { timeout: 5_000 }).toBe(1);
      expect(quickNotices[0]).toMatchObject({ name: KEYSMITH_EVENTS.expiring, payload: { token: { id: token.id }, daysBefore: 1 } });
      await quick[0].dataSource.getRepository(Token).update({ id: In([token.id]) }, { expiresAt: inFromNow(-1_000) });
      await expect.poll(() => quickNotices.length, { timeout: 5_000 }).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(quickNotices.map((notice) => notice.name)).toEqual([KEYSMITH_EVENTS.expiring, KEYSMITH_EVENTS.expired]);
    } finally {
      for (const app of quick) await app.close();
    }
  });
});

describe('the expiryWarnings option', () => {
  it('is off by default, and fills in what is left out', () => {
    expect(resolveKeysmithOptions({}).expiryWarnings).toBeNull();
    expect(resolveKeysmithOptions({ expiryWarnings: {} }).expiryWarnings).toEqual({ daysBefore: [7, 1], scanIntervalMs: 3_600_000 });
    expect(resolveKeysmithOptions({ expiryWarnings: { daysBefore: [1, 30, 7, 7], scanIntervalSeconds: 0.5 } }).expiryWarnings).toEqual({
      daysBefore: [30, 7, 1],
      scanIntervalMs: 500,
    });
  });

  it.each([
    [true, 'expiryWarnings'],
    [{ daysBefore: [] }, 'expiryWarnings.daysBefore'],
    [{ daysBefore: [7, 0] }, 'expiryWarnings.daysBefore'],
    [{ daysBefore: 7 }, 'expiryWarnings.daysBefore'],
    [{ scanIntervalSeconds: 0 }, 'expiryWarnings.scanIntervalSeconds'],
    [{ days: [7] }, 'expiryWarnings.days'],
  ])('refuses %j at startup, naming %s', (value, option) => {
    const resolve = () => resolveKeysmithOptions({ expiryWarnings: value as KeysmithModuleOptions['expiryWarnings'] });
    expect(resolve).toThrow(KeysmithConfigurationError);
    expect(resolve).toThrow(option);
  });
});
