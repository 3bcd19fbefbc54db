import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { KeysmithAdminModule, KeysmithConfigurationError } from '../../lib/index.js';
import type { IssuedTokenDto } from '../../lib/admin/index.js';
import { call, type AsJson, type RequestWithHeaders } from '../e2e/fixtures/guard-http.js';
import { databaseVariants } from '../support/test-app.js';
import { startAdminApp, type AdminApp } from './fixtures/admin-app.js';

/** Lets a request in when it carries `x-operator: yes`, whatever its token. */
@Injectable()
class OperatorHeaderGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<RequestWithHeaders>().headers['x-operator'] === 'yes';
  }
}

const [variant] = databaseVariants();

describe('KeysmithAdminModule options', () => {
  let app: AdminApp | undefined;
  afterEach(() => app?.close());

  it('mounts the page and the API under a custom path, slashes normalized', async () => {
    app = await startAdminApp('admin-options-path', variant, { path: 'ops/tokens/' });
    const page = await fetch(`${app.url}/ops/tokens`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="./tokens/">');
    expect((await call(app, '/ops/tokens/api/tokens', { token: app.admin.raw })).status).toBe(200);
    expect((await call(app, '/keysmith/api/tokens', { token: app.admin.raw })).status).toBe(404);
  });

  it.each(['/keysmith', '/keysmith/'])('finds its assets and API under a global prefix, asked for as %s', async (path) => {
    app = await startAdminApp('admin-options-prefix', variant, {}, { globalPrefix: 'v2' });
    const pageUrl = `${app.url}/v2${path}`;
    const html = await (await fetch(pageUrl)).text();
    // Resolved as a browser resolves them: against the <base>, itself against the page's URL.
    const base = new URL(/<base href="([^"]*)">/.exec(html)?.[1] ?? '', pageUrl);
    const assets = ['assets/admin.css', 'assets/admin.js'].map((asset) => new URL(asset, base).href);
    expect(assets).toEqual([`${app.url}/v2/keysmith/assets/admin.css`, `${app.url}/v2/keysmith/assets/admin.js`]);
    for (const asset of assets) expect((await fetch(asset)).status, asset).toBe(200);
    const api = await fetch(new URL('api/tokens', base), { headers: { 'x-keysmith-token': app.admin.raw } });
    expect(api.status).toBe(200);
  });

  it('lets the guard the application chooses decide, and audits no actor when it attaches no token', async () => {
    app = await startAdminApp('admin-options-guard', variant, { guard: OperatorHeaderGuard });
    expect((await call(app, '/keysmith/api/tokens', { token: app.admin.raw })).status).toBe(403);
    const created = await call<AsJson<IssuedTokenDto>>(app, '/keysmith/api/tokens', {
      headers: { 'x-operator': 'yes' },
      json: { name: 'by-header' },
    });
    expect(created.status).toBe(201);
    const [row] = await app.auditLog.list({ tokenId: created.body.token.id });
    expect(row?.extra).toEqual({ source: 'admin' });
  });

  it('refuses a path that is not a plain URL path, naming the option', () => {
    expect(() => KeysmithAdminModule.forRoot({ path: '/keys/:id' })).toThrow(KeysmithConfigurationError);
    expect(() => KeysmithAdminModule.forRoot({ path: '/a b' })).toThrow(/KeysmithAdminModule path/);
  });
});
