import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedTokenDto, ValidationErrorDto } from '../../lib/admin/index.js';
import type { TokenUsageDto } from '../../lib/admin/index.js';
import { call, type AsJson, type ReplyBody } from '../e2e/fixtures/guard-http.js';
import { databaseVariants, variantName } from '../support/test-app.js';
import { startAdminApp, type AdminApp } from './fixtures/admin-app.js';

const API = '/keysmith/api/tokens';

describe.each(databaseVariants())('admin API: token usage on $database', (variant) => {
  let app: AdminApp;
  beforeAll(async () => {
    app = await startAdminApp('admin-usage', variant);
  });
  afterAll(() => app?.close());

  const asAdmin = <Body = ReplyBody>(path: string, options: { method?: string; json?: unknown } = {}) =>
    call<AsJson<Body>>(app, path, { ...options, token: app.admin.raw });

  it(`answers a token's requests in buckets, successes and refusals apart (${variantName(variant)})`, async () => {
    const since = new Date().toISOString();
    const created = await asAdmin<IssuedTokenDto>(API, { json: { name: 'watched' } });
    const { id, prefix } = created.body.token;
    // The admin API is itself guarded: the watched token is refused there for lack of the admin scope.
    for (let i = 0; i < 2; i++) expect((await call(app, API, { token: created.body.rawToken })).status).toBe(403);
    const usage = await asAdmin<TokenUsageDto>(`${API}/${prefix}/usage?since=${since}&bucket=day`);
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({ tokenId: id, bucket: 'day', successes: 0, refusals: 2, outcomes: { insufficient_scope: 2 } });
    expect(usage.body.buckets).toHaveLength(1);
    expect(usage.body.buckets[0]).toMatchObject({ successes: 0, refusals: 2 });
    expect(new Date(usage.body.buckets[0].start).toISOString()).toMatch(/T00:00:00\.000Z$/);
  });

  it.each<[string, string, string]>([
    ['an unknown bucket', 'bucket=week', 'bucket'],
    ['a bad since', 'since=yesterday', 'since'],
    ['a bad until', 'until=2026-13-01', 'until'],
    ['since after until', 'since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z', 'since'],
  ])('answers 400 naming the field for %s', async (_, query, field) => {
    const refused = await asAdmin<ValidationErrorDto>(`${API}/${app.admin.id}/usage?${query}`);
    expect(refused.status).toBe(400);
    expect(refused.body.fields?.map((entry) => entry.field)).toEqual([field]);
  });

  it('answers 404 for a token that does not exist', async () => {
    expect((await asAdmin(`${API}/tok_nothere1/usage`)).status).toBe(404);
  });
});
