import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedTokenDto, RevokedCountDto, TokenPageDto, TokenViewDto, ValidationErrorDto } from '../../lib/admin/index.js';
import { KEYSMITH_ADMIN_SCOPE, KeysmithAdminModule, Token, TokenAuditLog } from '../../lib/index.js';
import { call, type AsJson, type ReplyBody } from '../e2e/fixtures/guard-http.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';

const API = '/keysmith/api/tokens';
const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(databaseVariants())('admin API: listings, offboarding and the lifetime policy on $database', (variant) => {
  let app: TestApp;
  let admin: { raw: string; id: string };
  beforeAll(async () => {
    app = await startTestApp({
      suite: 'admin-operate',
      variant,
      keysmith: {
        hasher: 'sha256',
        availableScopes: ['read', 'write', KEYSMITH_ADMIN_SCOPE],
        maxExpiryDays: 90,
        maxExpiryDaysByScope: { [KEYSMITH_ADMIN_SCOPE]: 30 },
      },
      imports: [KeysmithAdminModule.forRoot()],
    });
    const { token, rawToken } = await app.tokens.create({ name: 'operator', scopes: [KEYSMITH_ADMIN_SCOPE] });
    admin = { raw: rawToken, id: token.id };
  });
  afterAll(() => app?.close());

  const asAdmin = <Body = ReplyBody>(path: string, options: { method?: string; json?: unknown } = {}) =>
    call<AsJson<Body>>(app, path, { ...options, token: admin.raw });
  const unique = (label: string): string => `${label}-${randomUUID().slice(0, 8)}`;
  const fieldsOf = (body: AsJson<ValidationErrorDto>) => body.fields.map((field) => field.field);
  const liveCount = (userId: string) => app.dataSource.getRepository(Token).countBy({ userId, revoked: false });

  it(`says how many tokens match on every page, with the filters of the service (${variantName(variant)})`, async () => {
    const user = unique('many');
    for (let i = 0; i < 106; i++) await app.tokens.create({ name: `many-${i}`, user, scopes: i % 2 === 0 ? ['read'] : ['write'] });
    const old = await app.tokens.create({ name: 'old-unused', user, tokenType: 'system' });
    await app.dataSource.getRepository(Token).update({ id: old.token.id }, { createdAt: new Date(Date.now() - 200 * DAY_MS) });

    const first = await asAdmin<TokenPageDto>(`${API}?userId=${user}&limit=100`);
    expect(first.body).toMatchObject({ total: 107, limit: 100, offset: 0 });
    expect(first.body.items).toHaveLength(100);
    const rest = await asAdmin<TokenPageDto>(`${API}?userId=${user}&limit=100&offset=100`);
    expect(rest.body).toMatchObject({ total: 107, offset: 100 });
    expect(rest.body.items).toHaveLength(7);

    const count = async (filter: string) => (await asAdmin<TokenPageDto>(`${API}?userId=${user}&${filter}`)).body.total;
    expect(await count('scope=write')).toBe(53);
    expect(await count('tokenType=system')).toBe(1);
    expect(await count(`createdBefore=${new Date(Date.now() - 100 * DAY_MS).toISOString()}`)).toBe(1);
    expect(await count(`unusedSince=${new Date(Date.now() - 90 * DAY_MS).toISOString()}`)).toBe(1);
  });

  it.each([
    ['state=gone', 'state'],
    ['offset=-1', 'offset'],
    ['limit=101', 'limit'],
    ['createdBefore=yesterday', 'createdBefore'],
    ['unusedSince=2026-13-01', 'unusedSince'],
    ['tokenType=robot', 'tokenType'],
    ['owner=42', 'owner'],
  ])('refuses the query %s with 400 naming %s', async (query, field) => {
    const reply = await asAdmin<ValidationErrorDto>(`${API}?${query}`);
    expect(reply.status).toBe(400);
    expect(fieldsOf(reply.body)).toEqual([field]);
  });

  it(`revoke-all revokes every live token of a user, audited per token, and answers the count (${variantName(variant)})`, async () => {
    const user = unique('leaver');
    const tokens = await Promise.all(['a', 'b', 'c'].map((name) => app.tokens.create({ name, user })));
    await app.tokens.revoke(tokens[0].token.id);
    const bystander = await app.tokens.create({ name: 'bystander', user: unique('stays') });

    const reply = await asAdmin<RevokedCountDto>(`${API}/revoke-all`, { method: 'POST', json: { userId: user } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ revoked: 2 });
    expect(await liveCount(user)).toBe(0);
    expect((await app.tokens.get(bystander.token.id)).state).toBe('active');
    for (const { token } of tokens.slice(1)) {
      expect(await app.auditLog.list({ tokenId: token.id, action: 'revoked' })).toMatchObject([
        { path: `${API}/revoke-all`, method: 'POST', extra: { actor_id: admin.id, source: 'admin' } },
      ]);
    }
    expect((await asAdmin<RevokedCountDto>(`${API}/revoke-all`, { method: 'POST', json: { userId: user } })).body).toEqual({ revoked: 0 });
  });

  it.each([
    [{}, 'userId'],
    [{ state: 'active' }, 'userId'],
    [{ userId: 'x', state: 'revoked' }, 'state'],
    [{ userId: '' }, 'userId'],
    [{ userId: 'x', unusedSince: 'last year' }, 'unusedSince'],
    [{ userId: 'x', everything: true }, 'everything'],
  ])('revoke-all refuses %j with 400 naming %s, and revokes nothing', async (body, field) => {
    const user = unique('kept');
    await app.tokens.create({ name: 'kept', user });
    const rowsBefore = await app.dataSource.getRepository(TokenAuditLog).countBy({ action: 'revoked' });
    const reply = await asAdmin<ValidationErrorDto>(`${API}/revoke-all`, { method: 'POST', json: body });
    expect(reply.status).toBe(400);
    expect(fieldsOf(reply.body)).toEqual([field]);
    expect(await liveCount(user)).toBe(1);
    expect(await app.dataSource.getRepository(TokenAuditLog).countBy({ action: 'revoked' })).toBe(rowsBefore);
  });

  it(`applies maxExpiryDays and maxExpiryDaysByScope to create and update, with 400 naming expiresAt (${variantName(variant)})`, async () => {
    const never = await asAdmin<ValidationErrorDto>(API, { method: 'POST', json: { name: 'forever', expiresAt: null } });
    expect(never.status).toBe(400);
    expect(never.body.fields).toEqual([
      { field: 'expiresAt', errors: ['expiresAt: a token must expire within 90 days (maxExpiryDays); it cannot be made to never expire.'] },
    ]);
    const tooLong = await asAdmin<ValidationErrorDto>(API, {
      method: 'POST',
      json: { name: 'admin-too-long', scopes: [KEYSMITH_ADMIN_SCOPE], expiresAt: new Date(Date.now() + 31 * DAY_MS).toISOString() },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.fields[0].errors[0]).toMatch(/past the limit of 30 days \(maxExpiryDaysByScope\['keysmith:admin'\]\)/);

    const created = await asAdmin<IssuedTokenDto>(API, { method: 'POST', json: { name: 'within', scopes: ['read'] } });
    expect(created.status).toBe(201);
    const { id } = created.body.token;
    expect(Math.abs(Date.parse(created.body.token.expiresAt!) - (Date.now() + 90 * DAY_MS))).toBeLessThan(60_000);

    const widened = await asAdmin<ValidationErrorDto>(`${API}/${id}`, {
      method: 'PATCH',
      json: { scopes: ['read', KEYSMITH_ADMIN_SCOPE] },
    });
    expect(widened.status).toBe(400);
    expect(fieldsOf(widened.body)).toEqual(['expiresAt']);
    const forever = await asAdmin<ValidationErrorDto>(`${API}/${id}`, { method: 'PATCH', json: { expiresAt: null } });
    expect(fieldsOf(forever.body)).toEqual(['expiresAt']);
    const shorter = new Date(Date.now() + 20 * DAY_MS).toISOString();
    const narrowed = await asAdmin<TokenViewDto>(`${API}/${id}`, {
      method: 'PATCH',
      json: { scopes: ['read', KEYSMITH_ADMIN_SCOPE], expiresAt: shorter },
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body).toMatchObject({ scopes: ['read', KEYSMITH_ADMIN_SCOPE], expiresAt: shorter });
    expect((await app.tokens.get(id)).expiresAt!.toISOString()).toBe(shorter);
  });

  it('serves the page with the button that revokes every token of the user filtered on', async () => {
    const page = await call(app, '/keysmith');
    expect(page.text).toContain('<button type="button" id="revoke-user" class="danger" disabled>Revoke all tokens of this user</button>');
    const script = await call(app, '/keysmith/assets/admin.js');
    expect(script.text).toContain('tokens/revoke-all');
  });
});
