import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApp, type AdminApp } from '../admin/fixtures/admin-app.js';
import { appVariants, databaseVariants, variantName } from '../support/test-app.js';
import { sendRaw } from './fixtures/wire.js';

const variants = appVariants().filter(
  (variant) => variant.database === databaseVariants()[0]?.database && variant.registration === 'forRoot',
);

/** Request targets and `Host` headers a client chooses, and the base the page must still have. */
const REQUESTS = [
  { target: 'http://evil.example/keysmith', host: 'evil.example', base: './keysmith/' },
  { target: 'https://evil.example:8443/keysmith?next=/', host: 'evil.example:8443', base: './keysmith/' },
  { target: '/keysmith', host: 'evil.example', base: './keysmith/' },
];

describe.each(variants)('admin page base on $adapter', (variant) => {
  let app: AdminApp;
  beforeAll(async () => {
    app = await startAdminApp('security-admin-page', variant);
  });
  afterAll(() => app?.close());

  it.each(REQUESTS)(
    `takes no scheme or host from the request for its <base>: GET $target, Host: $host (${variantName(variant)})`,
    async ({ target, host, base }) => {
      const reply = await sendRaw(app.url, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(reply.status).toBe(200);
      expect(/<base href="([^"]*)">/.exec(reply.text)?.[1]).toBe(base);
      expect(`${reply.head}\r\n\r\n${reply.text}`).not.toContain('evil.example');
    },
  );
});
