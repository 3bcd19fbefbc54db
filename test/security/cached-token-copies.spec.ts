import { Controller, Get, UseGuards } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeysmithGuard, KeysmithScopes, KeysmithToken, type Token } from '../../lib/index.js';
import { databaseVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { call } from '../e2e/fixtures/guard-http.js';

/** A careless handler: it changes the token it was handed. */
@Controller('careless')
@UseGuards(KeysmithGuard)
class CarelessController {
  @Get('grant')
  grant(@KeysmithToken() token: Token) {
    token.scopes.push('admin');
    token.expiresAt?.setFullYear(2100);
    return { ok: true };
  }

  @Get('admin')
  @KeysmithScopes('admin')
  admin() {
    return { admin: true };
  }
}

describe.each(databaseVariants())('what a handler does to its cached token, on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ suite: 'security-cached-copies', variant, controllers: [CarelessController] });
  });
  afterAll(() => app?.close());

  it('does not reach the next request: no added scope, no moved expiry', async () => {
    const { rawToken } = await app.tokens.create({ name: 'careless', scopes: ['read'], expiresAt: new Date(Date.now() + 1_500) });
    expect((await call(app, '/careless/grant', { token: rawToken })).status).toBe(200);
    expect((await call(app, '/careless/grant', { token: rawToken })).status).toBe(200);
    expect((await call(app, '/careless/admin', { token: rawToken })).status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect((await call(app, '/careless/grant', { token: rawToken })).status).toBe(401);
  });
});
