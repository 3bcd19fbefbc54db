import { afterEach, describe, expect, inject, it } from 'vitest';
import type { KeysmithModuleOptions } from '../../lib/index.js';
import { REDIS_URL } from '../support/redis.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const NOTICE = /^Without the redis option, /;

describe('the notice that a change reaches no other instance', () => {
  let app: TestApp | undefined;
  afterEach(() => app?.close());

  const start = async (keysmith: KeysmithModuleOptions) => {
    app = await startTestApp({
      suite: 'revocation-notice',
      variant: { database: 'sqlite-memory', adapter: 'express', registration: 'forRoot' },
      keysmith,
    });
    return app;
  };

  /** Every lifecycle action that changes a token, then the notices logged. */
  async function noticesAfterChanges(running: TestApp): Promise<string[]> {
    const [first, second, third] = await Promise.all(['a', 'b', 'c'].map((name) => running.tokens.create({ name, user: 'noticed' })));
    await running.tokens.rotate(first.token.id);
    await running.tokens.revoke(first.token.id);
    await running.tokens.purge(second.token.id);
    expect(await running.tokens.revokeMany({ userId: 'noticed' })).toBe(1);
    expect(third.token.id).toBeTruthy();
    return running.logs.filter((entry) => NOTICE.test(entry.message)).map((entry) => `${entry.level}: ${entry.message}`);
  }

  it('is logged once per process without redis, with the cache TTL other instances may hold the token for', async () => {
    const notices = await noticesAfterChanges(await start({ cacheTtlSeconds: 45 }));
    expect(notices).toEqual([
      "warn: Without the redis option, a change of a token (rotated, revoked, purged, disabled, updated) reaches no other process's verification cache: running instances " +
        'of the application may accept the token as it was for up to 45 s (cacheTtlSeconds). Give the application and the keysmith ' +
        'command line (KEYSMITH_REDIS) the same redis to drop it everywhere at once.',
    ]);
  });

  it('is not logged when no instance caches tokens (cacheTtlSeconds 0)', async () => {
    expect(await noticesAfterChanges(await start({ cacheTtlSeconds: 0 }))).toEqual([]);
  });

  it.skipIf(!inject('redis'))('is not logged with redis, which reaches every instance', async () => {
    expect(await noticesAfterChanges(await start({ redis: REDIS_URL }))).toEqual([]);
  });
});
