import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BulkResultDto, IssuedTokenDto, TokenPageDto, ValidationErrorDto } from '../../lib/admin/index.js';
import { call, type AsJson, type ReplyBody } from '../e2e/fixtures/guard-http.js';
import { databaseVariants, variantName } from '../support/test-app.js';
import { startAdminApp, type AdminApp } from './fixtures/admin-app.js';

const API = '/keysmith/api/tokens';
const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(databaseVariants())('admin API: tokens on $database', (variant) => {
  let app: AdminApp;
  beforeAll(async () => {
    app = await startAdminApp('admin-tokens', variant);
  });
  afterAll(() => app?.close());

  const asAdmin = <Body = ReplyBody>(path: string, options: { method?: string; json?: unknown } = {}) =>
    call<AsJson<Body>>(app, path, { ...options, token: app.admin.raw });
  const unique = (label: string): string => `${label}-${randomUUID().slice(0, 8)}`;
  const health = async (raw: string): Promise<number> => {
    const reply = await call(app, `${API}?limit=1`, { token: raw });
    return reply.status;
  };

  describe(`list (${variantName(variant)})`, () => {
    it('filters by state, user and search, sorts, paginates and counts', async () => {
      const owner = unique('owner');
      const tag = unique('list');
      const names = ['b', 'a', 'c'].map((letter) => `${tag}-${letter}`);
      const created = [];
      for (const name of names) created.push(await app.tokens.create({ name, userId: owner }));
      await app.tokens.revoke(created[0].token.id);
      await app.tokens.purge(created[2].token.id);
      const expired = await app.tokens.create({ name: `${tag}-old`, userId: owner, expiresAt: new Date(Date.now() - DAY_MS) });

      const all = await asAdmin<TokenPageDto>(`${API}?userId=${owner}&sort=name&order=asc`);
      expect(all.status).toBe(200);
      expect(all.body.items.map((t) => t.name)).toEqual([`${tag}-a`, `${tag}-b`, `${tag}-c`, `${tag}-old`]);
      expect(all.body.items).toHaveLength(4);
      expect(all.body.total).toBe(4);

      const byState = async (state: string) =>
        (await asAdmin<TokenPageDto>(`${API}?userId=${owner}&state=${state}`)).body.items.map((t) => [t.id, t.state]);
      expect(await byState('active')).toEqual([[created[1].token.id, 'active']]);
      expect(await byState('revoked')).toEqual([[created[0].token.id, 'revoked']]);
      expect(await byState('purged')).toEqual([[created[2].token.id, 'purged']]);
      expect(await byState('expired')).toEqual([[expired.token.id, 'expired']]);

      const search = await asAdmin<TokenPageDto>(`${API}?search=${encodeURIComponent(`${tag}-A`.toUpperCase())}`);
      expect(search.body.items.map((t) => t.name)).toEqual([`${tag}-a`]);
      const byPrefix = await asAdmin<TokenPageDto>(`${API}?search=${created[1].token.prefix}`);
      expect(byPrefix.body.items.map((t) => t.id)).toEqual([created[1].token.id]);

      const page = await asAdmin<TokenPageDto>(`${API}?userId=${owner}&sort=name&order=desc&limit=2&offset=1`);
      expect(page.body).toMatchObject({ total: 4, limit: 2, offset: 1 });
      expect(page.body.items.map((t) => t.name)).toEqual([`${tag}-c`, `${tag}-b`]);
      const byCreated = await asAdmin<TokenPageDto>(`${API}?userId=${owner}&sort=createdAt&order=asc`);
      // Tokens created in the same millisecond come in the order of their ids.
      const inCreationOrder = [...created, expired]
        .map(({ token }) => token)
        .sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : 1))
        .map((token) => token.name);
      expect(byCreated.body.items.map((t) => t.name)).toEqual(inCreationOrder);
    });

    it('treats LIKE wildcards in the search as plain characters', async () => {
      const tag = unique('wild');
      await app.tokens.create({ name: `${tag}_100%` });
      await app.tokens.create({ name: `${tag}x100y` });
      const reply = await asAdmin<TokenPageDto>(`${API}?search=${encodeURIComponent(`${tag}_100%`)}`);
      expect(reply.body.items.map((t) => t.name)).toEqual([`${tag}_100%`]);
    });

    it('never shows the hash of a secret', async () => {
      const reply = await asAdmin<TokenPageDto>(`${API}?limit=100`);
      expect(reply.status).toBe(200);
      for (const token of reply.body.items) expect(token).not.toHaveProperty('key');
      expect(reply.text).not.toMatch(/sha256\$/);
    });
  });

  describe(`get, create, rotate, revoke, purge (${variantName(variant)})`, () => {
    it('gets a token by id and by prefix, and answers 404 for an unknown one', async () => {
      const { token } = await app.tokens.create({ name: unique('get') });
      expect((await asAdmin(`${API}/${token.id}`)).body).toMatchObject({ id: token.id, prefix: token.prefix, state: 'active' });
      expect((await asAdmin(`${API}/${token.prefix}`)).body.id).toBe(token.id);
      expect((await asAdmin(`${API}/${randomUUID()}`)).status).toBe(404);
    });

    it('creates a token, answers its raw value once, and audits the acting token as actor', async () => {
      const name = unique('created');
      const expiresAt = new Date(Date.now() + 3 * DAY_MS).toISOString();
      const reply = await asAdmin<IssuedTokenDto>(API, {
        json: { name, userId: 'u-7', scopes: ['read'], expiresAt, description: 'from the API' },
      });
      expect(reply.status).toBe(201);
      expect(reply.body.token).toMatchObject({
        name,
        userId: 'u-7',
        scopes: ['read'],
        state: 'active',
        expiresAt,
        createdById: app.admin.id,
      });
      expect(reply.body.rawToken).toMatch(new RegExp(`^${reply.body.token.prefix}:`));
      expect((await app.tokens.authenticate(reply.body.rawToken)).id).toBe(reply.body.token.id);

      const again = await asAdmin(`${API}/${reply.body.token.id}`);
      expect(again.text).not.toContain(reply.body.rawToken.split(':')[1]);
      const [row] = await app.auditLog.list({ tokenId: reply.body.token.id, action: 'created' });
      expect(row?.extra).toEqual({ actor_id: app.admin.id, source: 'admin' });
      expect(row).toMatchObject({ method: 'POST', path: API });
    });

    it('creates a token that never expires with expiresAt null, and one with the default expiry without it', async () => {
      const never = await asAdmin<IssuedTokenDto>(API, { json: { name: unique('never'), expiresAt: null } });
      expect(never.body.token.expiresAt).toBeNull();
      const byDefault = await asAdmin<IssuedTokenDto>(API, { json: { name: unique('default') } });
      expect(new Date(byDefault.body.token.expiresAt ?? 0).getTime()).toBeGreaterThan(Date.now() + 89 * DAY_MS);
    });

    it('rotates: the old raw token stops working, the new one works', async () => {
      const created = await app.tokens.create({ name: unique('rotate'), scopes: ['keysmith:admin'] });
      expect(await health(created.rawToken)).toBe(200);
      const reply = await asAdmin<IssuedTokenDto>(`${API}/${created.token.id}/rotate`, { method: 'POST' });
      expect(reply.status).toBe(200);
      expect(reply.body.token.prefix).toBe(created.token.prefix);
      expect(reply.body.rawToken).not.toBe(created.rawToken);
      expect(await health(created.rawToken)).toBe(401);
      expect(await health(reply.body.rawToken)).toBe(200);
      const [row] = await app.auditLog.list({ tokenId: created.token.id, action: 'rotated' });
      expect(row?.extra).toMatchObject({ actor_id: app.admin.id, source: 'admin' });
    });

    it('revokes and purges, idempotently, and refuses to rotate either', async () => {
      const revoked = await app.tokens.create({ name: unique('revoke') });
      const first = await asAdmin(`${API}/${revoked.token.id}/revoke`, { method: 'POST' });
      const second = await asAdmin(`${API}/${revoked.token.id}/revoke`, { method: 'POST' });
      expect([first.status, first.body.state, second.status, second.body.state]).toEqual([200, 'revoked', 200, 'revoked']);
      expect(await app.auditLog.list({ tokenId: revoked.token.id, action: 'revoked' })).toHaveLength(1);

      const purged = await asAdmin(`${API}/${revoked.token.prefix}/purge`, { method: 'POST' });
      expect(purged.body).toMatchObject({ state: 'purged', revoked: true, purged: true });
      const rotate = await asAdmin(`${API}/${revoked.token.id}/rotate`, { method: 'POST' });
      expect(rotate.status).toBe(400);
      expect(rotate.body.message).toMatch(/purged and cannot be rotated/);
      expect((await asAdmin(`${API}/${randomUUID()}/revoke`, { method: 'POST' })).status).toBe(404);
    });
  });

  describe(`bulk (${variantName(variant)})`, () => {
    it('revokes, rotates and purges many, reporting each token, refusals included', async () => {
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((letter) => app.tokens.create({ name: unique(`bulk-${letter}`) })));
      const unknown = randomUUID();

      const revoke = await asAdmin<BulkResultDto>(`${API}/bulk/revoke`, { json: { ids: [a.token.id, unknown] } });
      expect(revoke.status).toBe(200);
      expect(revoke.body.results).toMatchObject([
        { id: a.token.id, ok: true, token: { state: 'revoked' } },
        { id: unknown, ok: false, statusCode: 404 },
      ]);

      const rotate = await asAdmin<BulkResultDto>(`${API}/bulk/rotate`, { json: { ids: [b.token.id, a.token.id] } });
      expect(rotate.body.results[0]).toMatchObject({ id: b.token.id, ok: true });
      expect((await app.tokens.authenticate(rotate.body.results[0].rawToken ?? '')).id).toBe(b.token.id);
      await expect(app.tokens.authenticate(b.rawToken)).rejects.toThrow();
      expect(rotate.body.results[1]).toMatchObject({ id: a.token.id, ok: false, statusCode: 400 });

      const purge = await asAdmin<BulkResultDto>(`${API}/bulk/purge`, { json: { ids: [b.token.id, c.token.id] } });
      expect(purge.body.results.map((r) => [r.ok, r.token?.state])).toEqual([
        [true, 'purged'],
        [true, 'purged'],
      ]);
      const rows = await app.auditLog.list({ tokenId: c.token.id, action: 'revoked' });
      expect(rows[0]?.extra).toEqual({ actor_id: app.admin.id, source: 'admin', purge: true });
    });
  });

  describe(`who may call it (${variantName(variant)})`, () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', API],
      ['GET', `${API}/${randomUUID()}`],
      ['POST', API, { name: 'x' }],
      ['POST', `${API}/${randomUUID()}/rotate`],
      ['POST', `${API}/${randomUUID()}/revoke`],
      ['POST', `${API}/${randomUUID()}/purge`],
      ['POST', `${API}/bulk/revoke`, { ids: [randomUUID()] }],
      ['POST', `${API}/bulk/purge`, { ids: [randomUUID()] }],
      ['POST', `${API}/bulk/rotate`, { ids: [randomUUID()] }],
      ['GET', '/keysmith/api/audit-logs'],
    ];

    it('answers 401 without a token or with an invalid one, and 403 to a token without keysmith:admin', async () => {
      const revoked = await app.tokens.create({ name: unique('revoked-admin'), scopes: ['keysmith:admin'] });
      await app.tokens.revoke(revoked.token.id);
      for (const [method, path, json] of routes) {
        const anonymous = await call(app, path, { method, json });
        const invalid = await call(app, path, { method, json, token: `tok_${randomUUID()}` });
        const revokedReply = await call(app, path, { method, json, token: revoked.rawToken });
        const reader = await call(app, path, { method, json, token: app.reader.raw });
        expect([anonymous.status, invalid.status, revokedReply.status, reader.status], `${method} ${path}`).toEqual([401, 401, 401, 403]);
      }
      expect(await app.tokens.list({ search: 'x', limit: 1000 }).then((tokens) => tokens.filter((t) => t.name === 'x'))).toEqual([]);
    });
  });

  describe(`bad input (${variantName(variant)})`, () => {
    const fieldsOf = (body: AsJson<ValidationErrorDto>): string[] => body.fields.map((f) => f.field).sort();

    it('answers 400 listing each bad field of a create body', async () => {
      const reply = await asAdmin<ValidationErrorDto>(API, {
        json: { name: 'x'.repeat(129), scopes: ['ok', 7], expiresAt: 'tomorrow', tokenType: 'root', userId: { $ne: null }, isAdmin: true },
      });
      expect(reply.status).toBe(400);
      expect(fieldsOf(reply.body)).toEqual(['expiresAt', 'isAdmin', 'name', 'scopes', 'tokenType', 'userId']);
      expect(reply.body.message).toEqual(
        expect.arrayContaining(['property isAdmin should not exist', 'tokenType must be one of the following values: user, system']),
      );
    });

    it('answers 400 to a missing body, an array, a wrong type and a scope outside availableScopes', async () => {
      expect((await asAdmin(API, { method: 'POST' })).status).toBe(400);
      const array = await asAdmin(API, { json: [{ name: 'x' }] });
      expect(array.status).toBe(400);
      const wrongType = await asAdmin<ValidationErrorDto>(API, { json: { name: ['a'] } });
      expect(fieldsOf(wrongType.body)).toEqual(['name']);
      const blank = await asAdmin(API, { json: { name: '   ' } });
      expect([blank.status, blank.body.message]).toEqual([400, 'Token name is required.']);
    });

    it('answers 400 to bad list queries and bad bulk bodies', async () => {
      const query = await asAdmin<ValidationErrorDto>(
        `${API}?state=gone&limit=0&offset=-1&sort=key&order=up&search=${'s'.repeat(129)}&extra=1`,
      );
      expect(query.status).toBe(400);
      expect(fieldsOf(query.body)).toEqual(['extra', 'limit', 'offset', 'order', 'search', 'sort', 'state']);
      for (const json of [
        {},
        { ids: [] },
        { ids: ['not-a-uuid'] },
        { ids: Array.from({ length: 101 }, () => randomUUID()) },
        { ids: 'x' },
      ]) {
        const reply = await asAdmin<ValidationErrorDto>(`${API}/bulk/revoke`, { json });
        expect(reply.status, JSON.stringify(json).slice(0, 60)).toBe(400);
        expect(fieldsOf(reply.body)).toEqual(['ids']);
      }
    });

    it('answers 400 to a token reference that is neither an id nor a prefix, before any query', async () => {
      for (const reference of ['%00', 'tok_short', `${'x'.repeat(60)}_abcdefgh`, "tok_abcdefgh'--", 'tok_ab12CD34%3Axyz']) {
        for (const [method, suffix] of [
          ['GET', ''],
          ['POST', '/rotate'],
          ['POST', '/revoke'],
          ['POST', '/purge'],
        ] as const) {
          const reply = await asAdmin<ValidationErrorDto>(`${API}/${reference}${suffix}`, { method });
          expect(reply.status, `${method} ${reference}${suffix}`).toBe(400);
          expect(reply.body.fields).toEqual([{ field: 'id', errors: [expect.stringContaining('uuid')] }]);
        }
      }
    });

    it('drops __proto__ and constructor keys unread, and refuses nested objects, null and a body too large', async () => {
      const polluted = await fetch(`${app.url}${API}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-keysmith-token': app.admin.raw },
        body: '{"name":"p","__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}',
      });
      const created = (await polluted.json()) as { token: Record<string, unknown> & { id: string } };
      expect(polluted.status).toBe(201);
      expect(Object.keys(created.token).sort()).toEqual(Object.keys((await asAdmin(`${API}/${created.token.id}`)).body).sort());
      expect(created.token).not.toHaveProperty('isAdmin');
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      const nested = await asAdmin<ValidationErrorDto>(API, { json: { name: { $gt: '' }, scopes: [['read']] } });
      expect(fieldsOf(nested.body)).toEqual(['name', 'scopes']);
      const nullBody = await fetch(`${app.url}${API}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-keysmith-token': app.admin.raw },
        body: 'null',
      });
      expect(nullBody.status).toBe(400);
      const huge = await asAdmin(API, { json: { name: 'x'.repeat(2_000_000) } });
      expect([400, 413]).toContain(huge.status);
    });

    it('leaves the database untouched by a refused body', async () => {
      const name = unique('refused');
      await asAdmin(API, { json: { name, scopes: 'read' } });
      expect(await app.tokens.list({ search: name })).toEqual([]);
    });
  });
});
