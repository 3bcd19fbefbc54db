import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appVariants, variantName } from '../support/test-app.js';
import { startAdminApp, type AdminApp } from './fixtures/admin-app.js';

const sqliteVariants = () => appVariants().filter((variant) => variant.database === 'sqlite-memory' && variant.registration === 'forRoot');

describe.each(sqliteVariants())('admin page on $adapter', (variant) => {
  let app: AdminApp;
  beforeAll(async () => {
    app = await startAdminApp('admin-page', variant, {}, { globalGuard: true });
  });
  afterAll(() => app?.close());

  it(`serves the page without a token, even under a global KeysmithGuard, with a strict policy (${variantName(variant)})`, async () => {
    const response = await fetch(`${app.url}/keysmith`);
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(html).toContain('<base href="./keysmith/">');
    expect(html).toContain('you will not see this again');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it(`serves its stylesheet and script with their content types and no external resources (${variantName(variant)})`, async () => {
    for (const [path, type] of [
      ['/keysmith/assets/admin.css', 'text/css; charset=utf-8'],
      ['/keysmith/assets/admin.js', 'text/javascript; charset=utf-8'],
    ] as const) {
      const response = await fetch(`${app.url}${path}`);
      const body = await response.text();
      expect([response.status, response.headers.get('content-type')], path).toEqual([200, type]);
      expect(body.length).toBeGreaterThan(1000);
      expect(body).not.toMatch(/https?:\/\/|@import|url\(/);
    }
  });

  it(`serves the compiled admin page function whole, called with the page sizes (${variantName(variant)})`, async () => {
    const script = await (await fetch(`${app.url}/keysmith/assets/admin.js`)).text();
    expect(() => new Script(script)).not.toThrow();
    expect(script).toMatch(/^'use strict';\n\(function adminPage\(/);
    expect(script.trimEnd()).toMatch(/\)\(\{"tokensPageSize":25,"auditPageSize":50\}\);$/);
  });

  it(`escapes the request path it puts in the page (${variantName(variant)})`, async () => {
    const html = await (await fetch(`${app.url}/keysmith?"><script>alert(1)</script>`)).text();
    expect(html).toContain('<base href="./keysmith/">');
    expect(html).not.toContain('<script>alert(1)');
  });

  it(`keeps the API closed under the global guard: the admin scope is still required (${variantName(variant)})`, async () => {
    const reader = await fetch(`${app.url}/keysmith/api/tokens`, { headers: { 'x-keysmith-token': app.reader.raw } });
    const admin = await fetch(`${app.url}/keysmith/api/tokens`, { headers: { 'x-keysmith-token': app.admin.raw } });
    expect([reader.status, admin.status]).toEqual([403, 200]);
  });
});
