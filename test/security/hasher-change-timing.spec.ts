import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Token, buildToken } from '../../lib/index.js';
import { databaseVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from '../e2e/fixtures/guard-controllers.js';
import { call } from '../e2e/fixtures/guard-http.js';

const PROBES = 8;
const WRONG = 'WrongWrongWrongWrongWrongWrong42';
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(app: TestApp, rawToken: string): Promise<number> {
  const started = performance.now();
  expect((await call(app, '/api/health', { token: rawToken })).status).toBe(401);
  return performance.now() - started;
}

// Tables that outlive an app, for the restart: a file or a server database.
const variants = databaseVariants().filter((variant) => variant.database !== 'sqlite-memory');

describe.each(variants)('after the hasher changed from bcrypt to sha256, on $database', (variant) => {
  let app: TestApp;
  const prefixes: string[] = [];
  let upgradable: { id: string; rawToken: string };

  beforeAll(async () => {
    const before = await startTestApp({ suite: 'security-hasher-change', variant, keysmith: { hasher: 'bcrypt', bcryptRounds: 10 } });
    for (let i = 0; i < PROBES; i++) prefixes.push((await before.tokens.create({ name: `bcrypt-${i}` })).token.prefix);
    const { token, rawToken } = await before.tokens.create({ name: 'upgradable' });
    upgradable = { id: token.id, rawToken };
    await before.close();
    // The restart with the new hasher.
    app = await startTestApp({
      suite: 'security-hasher-change',
      variant,
      keepSchema: true,
      keysmith: { hasher: 'sha256', failedAttemptsLimit: 0 },
      controllers: [GuardedApiController],
    });
  });
  afterAll(() => app?.close());

  it('an unknown prefix costs what a known one with a wrong secret costs, from the first request', async () => {
    const unknown: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < PROBES; i++) {
      unknown.push(await timed(app, buildToken(`tok_Unknown${i}`, WRONG)));
      known.push(await timed(app, buildToken(prefixes[i], WRONG)));
    }
    // bcrypt at cost 10 takes tens of milliseconds; a lookup that finds nothing takes one or two.
    expect(median(known)).toBeGreaterThan(15);
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
    expect(Math.min(...unknown)).toBeGreaterThan(Math.min(...known) * 0.5);
  });

  it("hashes a token's secret again with the configured hasher on its next successful verification", async () => {
    expect((await call(app, '/api/health', { token: upgradable.rawToken })).status).toBe(200);
    const repository = app.dataSource.getRepository(Token);
    await expect.poll(async () => (await repository.findOneByOrFail({ id: upgradable.id })).key).toMatch(/^sha256\$[0-9a-f]{64}$/);
    await app.tokens.flushLastUsed();
    expect((await app.tokens.authenticate(upgradable.rawToken)).id).toBe(upgradable.id);
  });
});
