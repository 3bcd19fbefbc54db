import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLogPageDto, ValidationErrorDto } from '../../lib/admin/index.js';
import { call, type AsJson } from '../e2e/fixtures/guard-http.js';
import { databaseVariants, variantName } from '../support/test-app.js';
import { startAdminApp, type AdminApp } from './fixtures/admin-app.js';

const API = '/keysmith/api/audit-logs';

describe.each(databaseVariants())('admin API: audit log on $database', (variant) => {
  let app: AdminApp;
  beforeAll(async () => {
    app = await startAdminApp('admin-audit-logs', variant);
  });
  afterAll(() => app?.close());

  const asAdmin = <Body = AuditLogPageDto>(path: string) => call<AsJson<Body>>(app, path, { token: app.admin.raw });
  const idsOf = (body: { items: Array<{ id: string }> }): string[] => body.items.map((row) => row.id);

  it(`filters by token, action, status and time range, newest first, paginated (${variantName(variant)})`, async () => {
    const { token, rawToken } = await app.tokens.create({ name: `audited-${randomUUID().slice(0, 8)}`, scopes: ['read'] });
    await call(app, '/keysmith/api/tokens', { token: rawToken });
    await app.tokens.revoke(token.id);
    await call(app, '/keysmith/api/tokens', { token: rawToken });
    await app.auditLog.flush();
    const between = new Date();

    const all = await asAdmin(`${API}?tokenId=${token.id}`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((row) => row.action)).toEqual(['auth_failed', 'revoked', 'auth_failed', 'created']);
    expect(all.body.total).toBe(4);

    const failed = await asAdmin(`${API}?tokenId=${token.id}&action=auth_failed&status=403`);
    expect(failed.body.items).toHaveLength(1);
    expect(failed.body.items[0]).toMatchObject({ statusCode: 403, extra: { error_code: 'insufficient_scope' }, method: 'GET' });
    expect((await asAdmin(`${API}?tokenId=${token.id}&status=401`)).body.items[0].extra).toEqual({ error_code: 'revoked_token' });

    const rows = await app.auditLog.list({ tokenId: token.id });
    const revokedAt = rows.find((row) => row.action === 'revoked')!.createdAt;
    const fromRevoked = await asAdmin(`${API}?tokenId=${token.id}&from=${revokedAt.toISOString()}`);
    expect(fromRevoked.body.items.map((row) => row.action)).toEqual(['auth_failed', 'revoked']);
    const beforeRevoked = await asAdmin(`${API}?tokenId=${token.id}&to=${revokedAt.toISOString()}`);
    expect(beforeRevoked.body.items.map((row) => row.action)).toEqual(['auth_failed', 'created']);
    expect((await asAdmin(`${API}?tokenId=${token.id}&from=${between.toISOString()}`)).body.items).toEqual([]);

    const page = await asAdmin(`${API}?tokenId=${token.id}&limit=2&offset=2`);
    expect(page.body).toMatchObject({ total: 4, limit: 2, offset: 2 });
    expect(idsOf(page.body)).toEqual(idsOf(all.body).slice(2));
  });

  it(`answers 400 listing each bad filter (${variantName(variant)})`, async () => {
    const reply = await asAdmin<ValidationErrorDto>(
      `${API}?tokenId=nope&action=deleted&status=99&from=yesterday&to=2026-13-01&limit=101&offset=x&path=/`,
    );
    expect(reply.status).toBe(400);
    expect(reply.body.fields.map((f) => f.field).sort()).toEqual(['action', 'from', 'limit', 'offset', 'path', 'status', 'to', 'tokenId']);
  });

  it(`answers 401 and 403 to tokens that are not admin (${variantName(variant)})`, async () => {
    expect((await call(app, API)).status).toBe(401);
    expect((await call(app, API, { token: app.reader.raw })).status).toBe(403);
  });
});
