import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BulkResultDto, IssuedTokenDto, TokenPageDto, TokenViewDto, ValidationErrorDto } from '../../lib/admin/index.js';
import { call, type AsJson, type ReplyBody } from '../e2e/fixtures/guard-http.js';
import { databaseVariants, variantName } from '../support/test-app.js';
import { startAdminApp, type AdminApp } from './fixtures/admin-app.js';

const API = '/keysmith/api/tokens';

describe.each(databaseVariants())('admin API: key policies on $database', (variant) => {
  let app: AdminApp;
  beforeAll(async () => {
    app = await startAdminApp('admin-key-policy', variant, {}, { keysmith: { availableScopes: ['keysmith:admin', 'read', 'notes:*'] } });
  });
  afterAll(() => app?.close());

  const asAdmin = <Body = ReplyBody>(path: string, options: { method?: string; json?: unknown } = {}) =>
    call<AsJson<Body>>(app, path, { ...options, token: app.admin.raw });
  const works = async (raw: string): Promise<number> => (await call(app, `${API}?limit=1`, { token: raw })).status;
  const fieldsOf = (body: { fields?: Array<{ field: string }> }) => body.fields?.map((field) => field.field);

  describe(`create, read and update (${variantName(variant)})`, () => {
    it('creates with metadata and allowedIps, shows them with the state, and updates only the fields given', async () => {
      const created = await asAdmin<IssuedTokenDto>(API, {
        json: { name: 'policy', scopes: ['read'], metadata: { team: 'billing' }, allowedIps: ['127.0.0.1', '10.0.0.0/8'] },
      });
      expect(created.status).toBe(201);
      expect(created.body.token).toMatchObject({
        state: 'active',
        disabled: false,
        metadata: { team: 'billing' },
        allowedIps: ['127.0.0.1', '10.0.0.0/8'],
        previousSecretExpiresAt: null,
      });
      expect(created.body.token).not.toHaveProperty('previousKey');

      const updated = await asAdmin<TokenViewDto>(`${API}/${created.body.token.prefix}`, {
        method: 'PATCH',
        json: { description: 'for billing', scopes: ['notes:*'], allowedIps: null },
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ name: 'policy', description: 'for billing', scopes: ['notes:*'], allowedIps: null });
      expect(updated.body.metadata).toEqual({ team: 'billing' });
      await app.auditLog.flush();
      const [row] = await app.auditLog.list({ tokenId: created.body.token.id, action: 'updated' });
      expect(row).toMatchObject({
        method: 'PATCH',
        extra: { actor_id: app.admin.id, source: 'admin', fields: ['description', 'scopes', 'allowedIps'] },
      });
    });

    it.each<[string, unknown, string]>([
      ['a bad address', { allowedIps: ['10.0.0.256'] }, 'allowedIps'],
      ['a CIDR beyond 32 bits', { allowedIps: ['10.0.0.0/40'] }, 'allowedIps'],
      ['metadata that is not an object', { metadata: ['a'] }, 'metadata'],
      ['metadata over maxMetadataBytes', { metadata: { blob: 'x'.repeat(5_000) } }, 'metadata'],
      ['a bad wildcard', { scopes: ['notes*'] }, 'scopes'],
      ['"*" not in availableScopes', { scopes: ['*'] }, 'scopes'],
      ['a scope not available', { scopes: ['write'] }, 'scopes'],
    ])('answers 400 naming the field for %s, and changes nothing', async (_, body, field) => {
      const { token } = await app.tokens.create({ name: 'unchanged', scopes: ['read'] });
      const created = await asAdmin<ValidationErrorDto>(API, { json: { name: 'refused', ...(body as object) } });
      expect(created.status).toBe(400);
      expect(fieldsOf(created.body)).toEqual([field]);
      const updated = await asAdmin<ValidationErrorDto>(`${API}/${token.id}`, { method: 'PATCH', json: body });
      expect(updated.status).toBe(400);
      expect(fieldsOf(updated.body)).toEqual([field]);
      expect((await app.tokens.get(token.id)).scopes).toEqual(['read']);
      const refusedTokens = await asAdmin<TokenPageDto>(`${API}?search=refused`);
      expect(refusedTokens.body.total).toBe(0);
    });
  });

  describe(`rotate with a grace period (${variantName(variant)})`, () => {
    it('keeps the old raw token working until previousSecretExpiresAt, shown on the token', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'grace-admin', scopes: ['keysmith:admin'] });
      const rotated = await asAdmin<IssuedTokenDto>(`${API}/${token.id}/rotate`, { json: { graceSeconds: 3_600 } });
      expect(rotated.status).toBe(200);
      const until = Date.parse(rotated.body.token.previousSecretExpiresAt!);
      expect(until).toBeGreaterThan(Date.now() + 3_500_000);
      expect(await works(rawToken)).toBe(200);
      expect(await works(rotated.body.rawToken)).toBe(200);

      const again = await asAdmin<IssuedTokenDto>(`${API}/${token.id}/rotate`, { method: 'POST' });
      expect(again.body.token.previousSecretExpiresAt).toBeNull();
      expect(await works(rawToken)).toBe(401);
      expect(await works(again.body.rawToken)).toBe(200);
    });

    it('rotates many with one grace period', async () => {
      const tokens = await Promise.all(
        ['a', 'b'].map((name) => app.tokens.create({ name: `bulk-grace-${name}`, scopes: ['keysmith:admin'] })),
      );
      const reply = await asAdmin<BulkResultDto>(`${API}/bulk/rotate`, {
        json: { ids: tokens.map(({ token }) => token.id), graceSeconds: 60 },
      });
      expect(reply.body.results.map((result) => result.ok)).toEqual([true, true]);
      for (const { rawToken } of tokens) expect(await works(rawToken)).toBe(200);
    });

    it.each([-1, 1.5, '60', 40_000_000])('answers 400 naming graceSeconds for %j', async (graceSeconds) => {
      const { token, rawToken } = await app.tokens.create({ name: 'bad-grace', scopes: ['keysmith:admin'] });
      const reply = await asAdmin<ValidationErrorDto>(`${API}/${token.id}/rotate`, { json: { graceSeconds } });
      expect(reply.status).toBe(400);
      expect(fieldsOf(reply.body)).toEqual(['graceSeconds']);
      expect(await works(rawToken)).toBe(200);
    });
  });

  describe(`disable and enable (${variantName(variant)})`, () => {
    it('disables and enables, idempotently, and lists disabled tokens by state', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'switch-admin', scopes: ['keysmith:admin'] });
      const disabled = await asAdmin<TokenViewDto>(`${API}/${token.prefix}/disable`, { method: 'POST' });
      expect(disabled.body).toMatchObject({ state: 'disabled', disabled: true });
      expect((await asAdmin<TokenViewDto>(`${API}/${token.prefix}/disable`, { method: 'POST' })).status).toBe(200);
      expect(await works(rawToken)).toBe(401);
      const listed = await asAdmin<TokenPageDto>(`${API}?state=disabled&search=switch-admin`);
      expect(listed.body.items.map((item) => item.id)).toEqual([token.id]);

      const enabled = await asAdmin<TokenViewDto>(`${API}/${token.prefix}/enable`, { method: 'POST' });
      expect(enabled.body).toMatchObject({ state: 'active', disabled: false });
      expect(await works(rawToken)).toBe(200);
      await app.auditLog.flush();
      expect(await app.auditLog.list({ tokenId: token.id, action: 'disabled' })).toHaveLength(1);
    });

    it('refuses to enable a revoked token with 400', async () => {
      const { token } = await app.tokens.create({ name: 'revoked-admin' });
      await app.tokens.revoke(token.id);
      const reply = await asAdmin(`${API}/${token.id}/enable`, { method: 'POST' });
      expect(reply.status).toBe(400);
      expect(reply.body.message).toMatch(/revoked and cannot be enabled/);
    });
  });
});
