import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appVariants, startTestApp, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from './fixtures/guard-controllers.js';
import { MESSAGES, call } from './fixtures/guard-http.js';

const errorsOf = (app: TestApp) => app.logs.filter((entry) => entry.level === 'error');

describe.each(appVariants())('KeysmithGuard faults on %s', (variant) => {
  describe('the token table is gone', () => {
    let app: TestApp;
    let verifiedBefore: string;
    let neverVerified: string;

    beforeAll(async () => {
      app = await startTestApp({ suite: 'guard-faults-db', variant, controllers: [GuardedApiController] });
      ({ rawToken: verifiedBefore } = await app.tokens.create({ name: 'verified before the fault' }));
      ({ rawToken: neverVerified } = await app.tokens.create({ name: 'never verified' }));
      expect((await call(app, '/api/health', { token: verifiedBefore })).status).toBe(200);
      await app.auditLog.flush();
      await app.dataSource.query('DROP TABLE keysmith_token');
    });
    afterAll(() => app?.close());

    it('answers a token it must look up with 503, a server error rather than 401, and logs exactly one error', async () => {
      const before = errorsOf(app).length;
      const response = await call(app, '/api/health', { token: neverVerified });
      await app.auditLog.flush();
      expect(response.status).toBe(503);
      expect(response.text).not.toContain(MESSAGES.invalidToken);
      expect(response.text).not.toContain(neverVerified);
      const logged = errorsOf(app).slice(before);
      expect(logged).toHaveLength(1);
      expect(logged[0].message).not.toContain(neverVerified);
    });

    it('keeps accepting a token verified before the fault, from the cache, until its entry expires', async () => {
      expect((await call(app, '/api/health', { token: verifiedBefore })).status).toBe(200);
    });

    it('still answers 401 where no database work is needed: a missing or malformed token', async () => {
      const missing = await call(app, '/api/health');
      expect(missing.status).toBe(401);
      expect(missing.body.message).toBe(MESSAGES.missingToken);
      const malformed = await call(app, '/api/health', { token: `${neverVerified.slice(0, -1)}x` });
      expect(malformed.status).toBe(401);
      expect(malformed.body.message).toBe(MESSAGES.invalidToken);
    });
  });

  describe('the audit table is gone', () => {
    let app: TestApp;
    let rawToken: string;
    let prefix: string;

    beforeAll(async () => {
      app = await startTestApp({ suite: 'guard-faults-audit', variant, controllers: [GuardedApiController] });
      ({
        rawToken,
        token: { prefix },
      } = await app.tokens.create({ name: 'before the fault' }));
      await app.auditLog.flush();
      await app.dataSource.query('DROP TABLE keysmith_token_audit_log');
    });
    afterAll(() => app?.close());

    it('answers a valid token with 200 and logs the failed audit write', async () => {
      const before = errorsOf(app).length;
      const response = await call(app, '/api/health', { token: rawToken });
      await app.auditLog.flush();
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ok: true, token_prefix: prefix });
      const logged = errorsOf(app).slice(before);
      expect(logged).toHaveLength(1);
      expect(logged[0].message).toMatch(/audit/i);
      expect(logged[0].message).toContain('auth_success');
      expect(logged[0].message).not.toContain(rawToken);
    });

    it('answers a missing token with 401, not a server error, and logs the failed audit write', async () => {
      const before = errorsOf(app).length;
      const response = await call(app, '/api/health');
      await app.auditLog.flush();
      expect(response.status).toBe(401);
      expect(response.body.message).toBe(MESSAGES.missingToken);
      expect(
        errorsOf(app)
          .slice(before)
          .map((entry) => entry.message),
      ).toEqual([expect.stringContaining('auth_failed')]);
    });
  });
});
