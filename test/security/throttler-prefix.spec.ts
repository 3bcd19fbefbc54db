import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { call } from '../e2e/fixtures/guard-http.js';
import { LIMIT, throttledApp } from '../throttler/fixtures/throttled-app.js';

const OWNER = '127.0.0.1';
const ATTACKER = '127.0.0.2';
const OWNER_ELSEWHERE = '127.0.0.4';

describe.each(databaseVariants())('KeysmithThrottlerGuard against someone who only knows a prefix, on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'security-throttler-prefix', variant, ...throttledApp() });
  });
  afterAll(() => app?.close());

  it("junk sent with a token's prefix counts against the sender's address, never against the token", async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'owner' });
    // The owner's first request proves the secret; from then on its requests count against the token.
    expect((await call(app, '/api/health', { token: rawToken, from: OWNER })).status).toBe(200);

    const junk = `${token.prefix}:${'x'.repeat(32)}000000`;
    const attacker: number[] = [];
    for (let i = 0; i < 100; i++) attacker.push((await call(app, '/api/health', { token: junk, from: ATTACKER })).status);
    expect(attacker.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(401));
    expect(new Set(attacker.slice(LIMIT))).toEqual(new Set([429]));

    expect((await call(app, '/api/health', { token: rawToken, from: OWNER })).status).toBe(200);
    expect((await call(app, '/api/health', { token: rawToken, from: OWNER_ELSEWHERE })).status).toBe(200);
  });
});
