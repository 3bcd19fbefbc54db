import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeysmithValidationError, RevokedTokenError, Token, TokenAuditLog, type TokenFilter } from '../../lib/index.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from './fixtures/guard-controllers.js';
import { call } from './fixtures/guard-http.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** More than two batches of `revokeMany`, so that the last one is partial. */
const OFFBOARDED_TOKENS = 1_150;

describe.each(databaseVariants())('TokenService filters and revokeMany on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      suite: 'token-service-offboarding',
      variant,
      controllers: [GuardedApiController],
      keysmith: { hasher: 'sha256', availableScopes: ['read', 'write', 'Read', 'billing'] },
    });
  });
  afterAll(() => app?.close());

  const owner = () => `owner-${randomUUID()}`;
  const repository = () => app.dataSource.getRepository(Token);
  const revokedRows = (tokenIds: string[]) =>
    app.dataSource
      .getRepository(TokenAuditLog)
      .createQueryBuilder('row')
      .where('row.action = :action', { action: 'revoked' })
      .andWhere('row.tokenId IN (:...tokenIds)', { tokenIds })
      .getMany();

  describe(`list filters (${variantName(variant)})`, () => {
    it('filters by scope exactly (case included), created before and unused since', async () => {
      const user = owner();
      const read = await app.tokens.create({ name: 'reads', user, scopes: ['read'] });
      const upper = await app.tokens.create({ name: 'Reads', user, scopes: ['Read', 'billing'] });
      const both = await app.tokens.create({ name: 'reads-writes', user, scopes: ['write', 'read'] });
      const old = new Date(Date.now() - 200 * DAY_MS);
      await repository().update({ id: read.token.id }, { createdAt: old, lastUsedAt: new Date(Date.now() - 100 * DAY_MS) });
      await repository().update({ id: upper.token.id }, { createdAt: old });
      await repository().update({ id: both.token.id }, { createdAt: old, lastUsedAt: new Date() });
      // Sorted here: databases order names of other cases differently.
      const names = async (filter: TokenFilter) => (await app.tokens.list({ userId: user, ...filter })).map((t) => t.name).sort();

      expect(await names({ scope: 'read' })).toEqual(['reads', 'reads-writes']);
      expect(await names({ scope: 'Read' })).toEqual(['Reads']);
      expect(await names({ scope: 'rea' })).toEqual([]);
      expect(await names({ createdBefore: new Date(Date.now() - 150 * DAY_MS) })).toEqual(['Reads', 'reads', 'reads-writes']);
      // Last used 100 days ago, or never used and created 200 days ago; the one used today is not.
      expect(await names({ unusedSince: new Date(Date.now() - 90 * DAY_MS) })).toEqual(['Reads', 'reads']);
      const fresh = await app.tokens.create({ name: 'fresh-never-used', user });
      expect((await names({ unusedSince: new Date(Date.now() - 90 * DAY_MS) })).includes(fresh.token.name)).toBe(false);
    });

    it('refuses an unknown state, a negative offset and a limit of 0 instead of listing something else', async () => {
      await expect(app.tokens.list({ state: 'gone' as never })).rejects.toThrow(/^state must be one of active, .*; got "gone"\.$/);
      await expect(app.tokens.listPage({ offset: -1 })).rejects.toThrow('offset must be a whole number of at least 0; got -1.');
      await expect(app.tokens.list({ limit: 0 })).rejects.toBeInstanceOf(KeysmithValidationError);
      await expect(app.tokens.list({ createdBefore: new Date('nope') })).rejects.toThrow('createdBefore must be a valid Date.');
    });
  });

  describe(`revokeMany (${variantName(variant)})`, () => {
    it('refuses a filter that names no tokens, an unknown filter or a bad value, and revokes nothing', async () => {
      const user = owner();
      await app.tokens.create({ name: 'kept', user });
      await expect(app.tokens.revokeMany({})).rejects.toThrow(
        /revokeMany needs at least one of userId, tokenType, scope, createdBefore, unusedSince/,
      );
      await expect(app.tokens.revokeMany({ state: 'active' })).rejects.toBeInstanceOf(KeysmithValidationError);
      await expect(app.tokens.revokeMany({ user } as never)).rejects.toThrow('Unknown filter "user";');
      await expect(app.tokens.revokeMany({ userId: user, state: 'any' as never })).rejects.toBeInstanceOf(KeysmithValidationError);
      expect((await app.tokens.list({ userId: user }))[0].revoked).toBe(false);
    });

    it('revokes only the matching live tokens, audits each once, and a second call revokes none', async () => {
      const user = owner();
      const live = await app.tokens.create({ name: 'live', user, scopes: ['billing'] });
      const expired = await app.tokens.create({ name: 'expired', user, scopes: ['billing'], expiresAt: new Date(Date.now() - 1_000) });
      const otherScope = await app.tokens.create({ name: 'other-scope', user, scopes: ['read'] });
      const alreadyRevoked = await app.tokens.create({ name: 'already', user, scopes: ['billing'] });
      await app.tokens.revoke(alreadyRevoked.token.id);
      const someoneElse = await app.tokens.create({ name: 'someone-else', user: owner(), scopes: ['billing'] });

      const count = await app.tokens.revokeMany({ userId: user, scope: 'billing' }, { actor: 'ops-1', source: 'incident' });
      expect(count).toBe(2);
      const states = await Promise.all(
        [live, expired, otherScope, alreadyRevoked, someoneElse].map(async ({ token }) => (await app.tokens.get(token.id)).state),
      );
      expect(states).toEqual(['revoked', 'revoked', 'active', 'revoked', 'active']);
      const rows = await revokedRows([live.token.id, expired.token.id, alreadyRevoked.token.id]);
      expect(rows.map((row) => [row.tokenId, row.extra]).sort()).toEqual(
        [
          [live.token.id, { actor_id: 'ops-1', source: 'incident' }],
          [expired.token.id, { actor_id: 'ops-1', source: 'incident' }],
          [alreadyRevoked.token.id, {}],
        ].sort(),
      );
      expect(await app.tokens.revokeMany({ userId: user, scope: 'billing' })).toBe(0);
      expect(await app.tokens.revokeMany({ userId: user, state: 'active' })).toBe(1);
    });

    it(`offboards a user with ${OFFBOARDED_TOKENS} tokens in batches while requests run, and each token stops at once`, async () => {
      const user = owner();
      const bystander = await app.tokens.create({ name: 'bystander', user: owner() });
      const issued: { id: string; rawToken: string }[] = [];
      for (let start = 0; start < OFFBOARDED_TOKENS; start += 50) {
        const created = await Promise.all(
          Array.from({ length: Math.min(50, OFFBOARDED_TOKENS - start) }, (_, i) => app.tokens.create({ name: `bulk-${start + i}`, user })),
        );
        issued.push(...created.map(({ token, rawToken }) => ({ id: token.id, rawToken })));
      }
      const sample = issued.slice(0, 20);
      for (const { rawToken } of sample) expect((await call(app, '/api/health', { token: rawToken })).status).toBe(200);

      // Requests of another user's token and of the user's own, and new tokens created, all while revokeMany runs.
      let running = true;
      const statuses: number[] = [];
      const ownStatuses: number[] = [];
      const created: string[] = [];
      const traffic = [
        ...Array.from({ length: 4 }, async () => {
          while (running) statuses.push((await call(app, '/api/health', { token: bystander.rawToken })).status);
        }),
        (async () => {
          for (let i = 0; running; i = (i + 1) % sample.length)
            ownStatuses.push((await call(app, '/api/health', { token: sample[i].rawToken })).status);
        })(),
        (async () => {
          while (running) {
            created.push((await app.tokens.create({ name: 'created-meanwhile', user: owner() })).token.id);
            // With sha256 on SQLite a create never waits for I/O: without this, the loop would hold the event loop forever.
            await setImmediate();
          }
        })(),
      ];
      const started = performance.now();
      const count = await app.tokens.revokeMany({ userId: user }, { actor: 'offboarding', source: 'hr' });
      const elapsed = performance.now() - started;
      running = false;
      await Promise.all(traffic);
      console.log(
        `[revokeMany] ${variant.database}: ${count} tokens in ${elapsed.toFixed(0)} ms, with ${statuses.length + ownStatuses.length} requests ` +
          `and ${created.length} creates meanwhile`,
      );

      expect(count).toBe(OFFBOARDED_TOKENS);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.every((status) => status === 200)).toBe(true);
      expect(ownStatuses.every((status) => status === 200 || status === 401)).toBe(true);
      expect(created.length).toBeGreaterThan(0);
      expect(await repository().count({ where: { userId: user, revoked: false } })).toBe(0);
      expect(await repository().count({ where: { userId: user, revoked: true } })).toBe(OFFBOARDED_TOKENS);
      const rows = await revokedRows(issued.map((token) => token.id));
      expect(rows).toHaveLength(OFFBOARDED_TOKENS);
      expect(new Set(rows.map((row) => row.tokenId)).size).toBe(OFFBOARDED_TOKENS);
      expect(rows.every((row) => row.extra.actor_id === 'offboarding' && row.extra.source === 'hr')).toBe(true);
      // The verification cache held the sample's tokens: revokeMany dropped them there too.
      for (const { rawToken } of sample) expect((await call(app, '/api/health', { token: rawToken })).status).toBe(401);
      await expect(app.tokens.authenticate(sample[0].rawToken)).rejects.toBeInstanceOf(RevokedTokenError);
      expect((await call(app, '/api/health', { token: bystander.rawToken })).status).toBe(200);
    }, 120_000);
  });
});
