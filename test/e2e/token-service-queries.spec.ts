import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Token, TokenNotFoundError } from '../../lib/index.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const idsOf = (tokens: Token[]): string[] => tokens.map((token) => token.id);
const sorted = (ids: string[]): string[] => [...ids].sort();

describe.each(databaseVariants())('TokenService queries on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'token-service-queries', variant });
  });
  afterAll(() => app?.close());

  const newOwner = (): string => `owner-${randomUUID()}`;

  describe(`findById and findByPrefix (${variantName(variant)})`, () => {
    it('finds a token by its id and by its prefix', async () => {
      const { token } = await app.tokens.create({ name: 'findable', user: 'finder', scopes: ['a'] });
      const byId = await app.tokens.findById(token.id);
      const byPrefix = await app.tokens.findByPrefix(token.prefix);
      expect(byId).toBeInstanceOf(Token);
      expect(byId).toMatchObject({ id: token.id, prefix: token.prefix, name: 'findable', userId: 'finder', scopes: ['a'] });
      expect(byPrefix).toMatchObject({ id: token.id, prefix: token.prefix });
    });

    it('returns null for an unknown id, an unknown prefix, and never throws for a string that is not a uuid', async () => {
      const { token } = await app.tokens.create({ name: 'not-found-neighbour' });
      expect(await app.tokens.findById(randomUUID())).toBeNull();
      expect(await app.tokens.findByPrefix('tok_Nothing0')).toBeNull();
      const notUuids = ['', 'not-a-uuid', token.prefix, `${token.id}x`, 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', "' OR 1=1 --"];
      for (const notUuid of notUuids) {
        await expect(app.tokens.findById(notUuid)).resolves.toBeNull();
      }
    });

    it('matches a prefix exactly: another case or a trailing space finds nothing and revokes nothing', async () => {
      const { token } = await app.tokens.create({ name: 'case-sensitive' });
      const flipped = token.prefix.replace(/[a-zA-Z]/g, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
      expect(await app.tokens.findByPrefix(flipped)).toBeNull();
      expect(await app.tokens.findByPrefix(`${token.prefix} `)).toBeNull();
      await expect(app.tokens.revoke(flipped)).rejects.toBeInstanceOf(TokenNotFoundError);
      expect((await app.tokens.findById(token.id))?.revoked).toBe(false);
    });
  });

  describe(`list (${variantName(variant)})`, () => {
    it('filters by userId, given as a string or a number', async () => {
      const owner = newOwner();
      const mine = await app.tokens.create({ name: 'mine', user: owner });
      const alsoMine = await app.tokens.create({ name: 'also-mine', userId: owner });
      await app.tokens.create({ name: 'someone-else', user: newOwner() });
      const numbered = await app.tokens.create({ name: 'numbered', user: { id: 987654 } });
      expect(sorted(idsOf(await app.tokens.list({ userId: owner })))).toEqual(sorted([mine.token.id, alsoMine.token.id]));
      expect(idsOf(await app.tokens.list({ userId: 987654 }))).toEqual([numbered.token.id]);
      expect(await app.tokens.list({ userId: newOwner() })).toEqual([]);
    });

    it('filters by tokenType', async () => {
      const owner = newOwner();
      const user = await app.tokens.create({ name: 'user-kind', user: owner });
      const system = await app.tokens.create({ name: 'system-kind', user: owner, tokenType: 'system' });
      expect(idsOf(await app.tokens.list({ userId: owner, tokenType: 'system' }))).toEqual([system.token.id]);
      expect(idsOf(await app.tokens.list({ userId: owner, tokenType: 'user' }))).toEqual([user.token.id]);
      const systemTokens = await app.tokens.list({ tokenType: 'system' });
      expect(idsOf(systemTokens)).toContain(system.token.id);
      expect(systemTokens.every((token) => token.tokenType === 'system')).toBe(true);
    });

    describe('by state', () => {
      const owner = newOwner();
      const ids: Record<'defaultExpiry' | 'neverExpires' | 'expiresLater' | 'expired' | 'revoked' | 'purged', string> = {
        defaultExpiry: '',
        neverExpires: '',
        expiresLater: '',
        expired: '',
        revoked: '',
        purged: '',
      };

      beforeAll(async () => {
        ids.defaultExpiry = (await app.tokens.create({ name: 'default-expiry', user: owner })).token.id;
        ids.neverExpires = (await app.tokens.create({ name: 'never-expires', user: owner, expiresAt: null })).token.id;
        ids.expiresLater = (
          await app.tokens.create({ name: 'expires-later', user: owner, expiresAt: new Date(Date.now() + DAY_MS) })
        ).token.id;
        ids.expired = (await app.tokens.create({ name: 'expired', user: owner, expiresAt: new Date(Date.now() - 60_000) })).token.id;
        ids.revoked = (await app.tokens.create({ name: 'revoked', user: owner, expiresAt: null })).token.id;
        await app.tokens.revoke(ids.revoked);
        ids.purged = (await app.tokens.create({ name: 'purged', user: owner })).token.id;
        await app.tokens.purge(ids.purged);
      });

      it('active: true lists tokens neither revoked, purged nor expired, never-expiring ones included', async () => {
        const active = await app.tokens.list({ userId: owner, active: true });
        expect(sorted(idsOf(active))).toEqual(sorted([ids.defaultExpiry, ids.neverExpires, ids.expiresLater]));
        expect(active.every((token) => token.isActive)).toBe(true);
      });

      it('active: false lists revoked, purged and expired tokens', async () => {
        const inactive = await app.tokens.list({ userId: owner, active: false });
        expect(sorted(idsOf(inactive))).toEqual(sorted([ids.expired, ids.revoked, ids.purged]));
        expect(inactive.every((token) => !token.isActive)).toBe(true);
      });

      it('revoked filters on the revoked flag, which purged tokens carry too', async () => {
        expect(sorted(idsOf(await app.tokens.list({ userId: owner, revoked: true })))).toEqual(sorted([ids.revoked, ids.purged]));
        expect(sorted(idsOf(await app.tokens.list({ userId: owner, revoked: false })))).toEqual(
          sorted([ids.defaultExpiry, ids.neverExpires, ids.expiresLater, ids.expired]),
        );
      });

      it('purged filters on the purged flag', async () => {
        expect(idsOf(await app.tokens.list({ userId: owner, purged: true }))).toEqual([ids.purged]);
        expect(sorted(idsOf(await app.tokens.list({ userId: owner, purged: false })))).toEqual(
          sorted([ids.defaultExpiry, ids.neverExpires, ids.expiresLater, ids.expired, ids.revoked]),
        );
      });

      it('combines filters', async () => {
        expect(idsOf(await app.tokens.list({ userId: owner, revoked: true, purged: false }))).toEqual([ids.revoked]);
        expect(await app.tokens.list({ userId: owner, active: true, revoked: true })).toEqual([]);
        expect(await app.tokens.list({ userId: owner, tokenType: 'system' })).toEqual([]);
      });
    });

    it('lists newest first, and pages with limit and offset', async () => {
      const owner = newOwner();
      const created: string[] = [];
      for (let index = 0; index < 5; index++) {
        created.push((await app.tokens.create({ name: `page-${index}`, user: owner })).token.id);
      }
      const base = Date.UTC(2030, 0, 1, 12, 0, 0);
      const repository = app.dataSource.getRepository(Token);
      for (const [index, id] of created.entries()) {
        await repository.update({ id }, { createdAt: new Date(base + index * 1_000) });
      }
      const newestFirst = [...created].reverse();
      expect(idsOf(await app.tokens.list({ userId: owner }))).toEqual(newestFirst);
      expect(idsOf(await app.tokens.list({ userId: owner, limit: 2 }))).toEqual(newestFirst.slice(0, 2));
      expect(idsOf(await app.tokens.list({ userId: owner, limit: 2, offset: 2 }))).toEqual(newestFirst.slice(2, 4));
      expect(idsOf(await app.tokens.list({ userId: owner, limit: 2, offset: 4 }))).toEqual(newestFirst.slice(4));
      expect(idsOf(await app.tokens.list({ userId: owner, offset: 3 }))).toEqual(newestFirst.slice(3));
      expect(await app.tokens.list({ userId: owner, offset: 5 })).toEqual([]);
    });

    it('pages through tokens created in the same millisecond exactly once each', async () => {
      const owner = newOwner();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, index) => app.tokens.create({ name: `same-instant-${index}`, user: owner })),
      );
      const instant = new Date(Date.UTC(2031, 5, 1));
      await app.dataSource.getRepository(Token).update({ userId: owner }, { createdAt: instant });
      const paged: string[] = [];
      for (let offset = 0; offset < 30; offset += 7) {
        paged.push(...idsOf(await app.tokens.list({ userId: owner, limit: 7, offset })));
      }
      expect(paged).toHaveLength(30);
      expect(sorted(paged)).toEqual(sorted(results.map(({ token }) => token.id)));
    });
  });

  describe(`concurrency (${variantName(variant)})`, () => {
    it('50 concurrent creates give 50 distinct prefixes, all stored, audited and usable', async () => {
      const owner = newOwner();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, index) => app.tokens.create({ name: `concurrent-${index}`, user: owner })),
      );
      const prefixes = new Set(results.map(({ token }) => token.prefix));
      expect(prefixes.size).toBe(50);
      expect(new Set(results.map(({ rawToken }) => rawToken)).size).toBe(50);
      expect(await app.dataSource.getRepository(Token).countBy({ userId: owner })).toBe(50);
      const authenticated = await Promise.all(results.map(({ rawToken }) => app.tokens.authenticate(rawToken)));
      expect(sorted(idsOf(authenticated))).toEqual(sorted(results.map(({ token }) => token.id)));
      const audited = await Promise.all(results.map(({ token }) => app.auditLog.list({ tokenId: token.id, action: 'created' })));
      expect(audited.every((rows) => rows.length === 1)).toBe(true);
    });
  });
});
