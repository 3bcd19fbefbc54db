import { Controller, Get, UseGuards } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeysmithGuard, KeysmithToken, type Token } from '../../lib/index.js';
import { appVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';

@Controller('api')
@UseGuards(KeysmithGuard)
class HealthController {
  @Get('health')
  health(@KeysmithToken() token: Token) {
    return { ok: true, token_prefix: token.prefix };
  }
}

describe.each(appVariants())('smoke on %s', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'smoke', variant, controllers: [HealthController] });
  });
  afterAll(() => app?.close());

  it(`answers 200 with a token and 401 without (${variantName(variant)})`, async () => {
    const { token, rawToken } = await app.tokens.create({ name: 'local-dev', user: { id: 7 } });
    const ok = await fetch(`${app.url}/api/health`, { headers: { 'X-KEYSMITH-TOKEN': rawToken } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, token_prefix: token.prefix });
    const missing = await fetch(`${app.url}/api/health`);
    expect(missing.status).toBe(401);
    await app.auditLog.flush();
    const rows = await app.auditLog.list({ tokenId: token.id });
    expect(rows.map((r) => r.action).sort()).toEqual(['auth_success', 'created']);
    expect(rows.find((r) => r.action === 'auth_success')?.statusCode).toBe(200);
  });
});
