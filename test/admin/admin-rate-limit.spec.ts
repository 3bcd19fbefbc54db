import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedTokenDto, TokenViewDto, ValidationErrorDto } from '../../lib/admin/index.js';
import { call, type AsJson, type ReplyBody } from '../e2e/fixtures/guard-http.js';
import { databaseVariants, variantName } from '../support/test-app.js';
import { startAdminApp, type AdminApp } from './fixtures/admin-app.js';

const API = '/keysmith/api/tokens';

describe.each(databaseVariants())('admin API: rate limits on $database', (variant) => {
  let app: AdminApp;
  beforeAll(async () => {
    app = await startAdminApp('admin-rate-limit', variant);
  });
  afterAll(() => app?.close());

  const asAdmin = <Body = ReplyBody>(path: string, options: { method?: string; json?: unknown } = {}) =>
    call<AsJson<Body>>(app, path, { ...options, token: app.admin.raw });

  it(`creates a token with a rate limit, changes it and removes it (${variantName(variant)})`, async () => {
    const created = await asAdmin<IssuedTokenDto>(API, { json: { name: 'limited', rateLimit: { limit: 100, windowSeconds: 60 } } });
    expect(created.status).toBe(201);
    expect(created.body.token.rateLimit).toEqual({ limit: 100, windowSeconds: 60 });
    const path = `${API}/${created.body.token.prefix}`;
    const changed = await asAdmin<TokenViewDto>(path, { method: 'PATCH', json: { rateLimit: { limit: 5, windowSeconds: 1 } } });
    expect(changed).toMatchObject({ status: 200, body: { rateLimit: { limit: 5, windowSeconds: 1 } } });
    const removed = await asAdmin<TokenViewDto>(path, { method: 'PATCH', json: { rateLimit: null } });
    expect(removed).toMatchObject({ status: 200, body: { rateLimit: null } });
  });

  it.each<[string, unknown, string]>([
    ['a zero limit', { limit: 0, windowSeconds: 60 }, 'rateLimit.limit'],
    ['a negative window', { limit: 10, windowSeconds: -1 }, 'rateLimit.windowSeconds'],
    ['a fractional limit', { limit: 1.5, windowSeconds: 60 }, 'rateLimit.limit'],
    ['a string window', { limit: 10, windowSeconds: '60' }, 'rateLimit.windowSeconds'],
    ['no window', { limit: 10 }, 'rateLimit.windowSeconds'],
  ])('answers 400 naming the field for %s', async (_, rateLimit, field) => {
    const refused = await asAdmin<ValidationErrorDto>(API, { json: { name: 'bad-limit', rateLimit } });
    expect(refused.status).toBe(400);
    expect(refused.body.fields?.map((entry) => entry.field)).toEqual([field]);
  });
});
