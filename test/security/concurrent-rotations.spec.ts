import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TokenConflictError } from '../../lib/index.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const postgres = inject('databases').filter((database) => database === 'postgres');
const PAIRS = 20;

describe.each(postgres)('two rotations of one token at the same moment on %s', (database) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      suite: 'security-concurrent-rotations',
      variant: { database, adapter: 'express', registration: 'forRoot' },
    });
  });
  afterAll(() => app?.close());

  it(`never hands out a raw token that does not work: of each of ${PAIRS} pairs, one rotation wins and the other says so`, async () => {
    const tokens = await Promise.all(Array.from({ length: PAIRS }, (_, i) => app.tokens.create({ name: `race-${i}` })));
    const pairs = await Promise.all(
      tokens.map(({ token }) => Promise.allSettled([app.tokens.rotate(token.id), app.tokens.rotate(token.id, { graceSeconds: 60 })])),
    );

    let handedOut = 0;
    let conflicts = 0;
    for (const [i, outcomes] of pairs.entries()) {
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toBeInstanceOf(TokenConflictError);
          conflicts++;
          continue;
        }
        handedOut++;
        expect((await app.tokens.authenticate(outcome.value)).id).toBe(tokens[i].token.id);
      }
      await app.auditLog.flush();
      const rotated = await app.auditLog.list({ tokenId: tokens[i].token.id, action: 'rotated' });
      expect(rotated).toHaveLength(outcomes.filter((outcome) => outcome.status === 'fulfilled').length);
    }
    console.log(
      `[concurrent rotations] ${PAIRS} pairs on ${database}: ${handedOut} raw tokens handed out, all working; ${conflicts} rotations refused with TokenConflictError`,
    );
    expect(handedOut + conflicts).toBe(2 * PAIRS);
    expect(handedOut).toBeGreaterThanOrEqual(PAIRS);
  });
});
