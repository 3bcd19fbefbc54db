import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DisabledTokenError,
  IpNotAllowedError,
  KeysmithValidationError,
  RotatedSecretError,
  TokenConflictError,
  type Token,
  type TokenAuditLog,
} from '../../lib/index.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { GuardedApiController } from './fixtures/guard-controllers.js';
import { MESSAGES, call, uniqueAgent, auditRowsOf } from './fixtures/guard-http.js';
import { NotesController } from './fixtures/key-policy-controllers.js';
import { SlowCountingHasher } from '../support/slow-counting-hasher.js';

const tokenSelects = (queries: string[]) => queries.filter((sql) => /^SELECT/i.test(sql) && sql.includes('keysmith_token'));

describe.each(databaseVariants())('key policies over HTTP on $database', (variant) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      suite: 'key-policy',
      variant,
      controllers: [GuardedApiController, NotesController],
      keysmith: { availableScopes: ['read', 'notes:*', 'notes:read', 'notes:admin', 'reports:export'] },
    });
  });
  afterAll(() => app?.close());

  const health = (rawToken: string, from?: string) => call(app, '/api/health', { token: rawToken, ...(from ? { from } : {}) });

  async function rows(tokenId: string, action: TokenAuditLog['action']): Promise<TokenAuditLog[]> {
    await app.auditLog.flush();
    return app.auditLog.list({ tokenId, action });
  }

  /** Sends a request and returns the SQL the app sent for it. */
  async function queriesOf(work: () => Promise<unknown>): Promise<string[]> {
    const start = app.queries.length;
    await work();
    return app.queries.slice(start);
  }

  describe(`rotation with a grace period (${variantName(variant)})`, () => {
    it('keeps the previous secret working until the deadline, audited as secret "previous", then refuses it as rotated_secret', async () => {
      const { token, rawToken: old } = await app.tokens.create({ name: 'grace' });
      expect((await health(old)).status).toBe(200);
      const fresh = await app.tokens.rotate(token.id, { graceSeconds: 2 });
      const stored = await app.tokens.get(token.id);
      expect(stored.previousSecretExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 1_000);
      expect(stored.previousSecretExpiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 2_000);

      const agent = uniqueAgent('grace-previous');
      expect((await call(app, '/api/health', { token: old, agent })).status).toBe(200);
      expect((await call(app, '/api/health', { token: old, agent })).status).toBe(200);
      expect((await health(fresh)).status).toBe(200);
      const previousRows = await auditRowsOf(app, agent);
      expect(previousRows.map((row) => [row.action, row.extra])).toEqual([
        ['auth_success', { secret: 'previous' }],
        ['auth_success', { secret: 'previous' }],
      ]);

      // The second request above came from the cache: its entry must not outlive the deadline.
      await sleep(stored.previousSecretExpiresAt!.getTime() - Date.now() + 50);
      const late = uniqueAgent('grace-late');
      const refused = await call(app, '/api/health', { token: old, agent: late });
      expect(refused.status).toBe(401);
      expect(refused.body.message).toBe(MESSAGES.invalidToken);
      const [row] = await auditRowsOf(app, late);
      expect(row).toMatchObject({ action: 'auth_failed', tokenId: token.id, extra: { error_code: 'rotated_secret' } });
      expect((await health(fresh)).status).toBe(200);
      await expect(app.tokens.authenticate(old)).rejects.toBeInstanceOf(RotatedSecretError);
    });

    it('serves the previous secret from the cache with no query, and stops at the deadline without one', async () => {
      const { token, rawToken: old } = await app.tokens.create({ name: 'grace-warm' });
      await app.tokens.rotate(token.id, { graceSeconds: 1 });
      expect((await health(old)).status).toBe(200);
      const warm = await queriesOf(() => health(old));
      expect(tokenSelects(warm)).toEqual([]);
      const { previousSecretExpiresAt } = await app.tokens.get(token.id);
      await sleep(previousSecretExpiresAt!.getTime() - Date.now() + 50);
      expect((await health(old)).status).toBe(401);
    });

    it('ends the grace at the expiry of the token when that comes first', async () => {
      const expiresAt = new Date(Date.now() + 60_000);
      const { token } = await app.tokens.create({ name: 'grace-capped', expiresAt });
      await app.tokens.rotate(token.id, { graceSeconds: 3_600 });
      expect((await app.tokens.get(token.id)).previousSecretExpiresAt!.getTime()).toBe(expiresAt.getTime());
    });

    it('a second rotation during a grace period ends the first grace at once', async () => {
      const { token, rawToken: first } = await app.tokens.create({ name: 'grace-twice' });
      const second = await app.tokens.rotate(token.id, { graceSeconds: 60 });
      expect((await health(first)).status).toBe(200);
      const third = await app.tokens.rotate(token.id, { graceSeconds: 60 });
      expect((await health(first)).status).toBe(401);
      expect((await health(second)).status).toBe(200);
      expect((await health(third)).status).toBe(200);
    });

    it('without graceSeconds the old secret fails at once, as a wrong secret', async () => {
      const { token, rawToken: old } = await app.tokens.create({ name: 'no-grace' });
      expect((await health(old)).status).toBe(200);
      await app.tokens.rotate(token.id);
      const agent = uniqueAgent('no-grace');
      expect((await call(app, '/api/health', { token: old, agent })).status).toBe(401);
      const [row] = await auditRowsOf(app, agent);
      expect(row.extra).toMatchObject({ error_code: 'invalid_token', reason: 'wrong_secret' });
      expect((await app.tokens.get(token.id)).previousSecretExpiresAt).toBeNull();
    });

    it('records the grace deadline in the rotated row', async () => {
      const { token } = await app.tokens.create({ name: 'grace-audited' });
      await app.tokens.rotate(token.id, { graceSeconds: 30, actor: 'ops' });
      const [row] = await rows(token.id, 'rotated');
      const { previousSecretExpiresAt } = await app.tokens.get(token.id);
      expect(row.extra).toEqual({ actor_id: 'ops', grace_until: previousSecretExpiresAt!.toISOString() });
    });

    it.each([-1, 1.5, Number.NaN, '60', 366 * 24 * 3600])(
      'refuses graceSeconds %j, naming the field, and changes nothing',
      async (graceSeconds) => {
        const { token, rawToken } = await app.tokens.create({ name: 'bad-grace' });
        const refusal = await app.tokens.rotate(token.id, { graceSeconds: graceSeconds as number }).catch((error: unknown) => error);
        expect(refusal).toBeInstanceOf(KeysmithValidationError);
        expect((refusal as KeysmithValidationError).field).toBe('graceSeconds');
        expect((await health(rawToken)).status).toBe(200);
        expect(await rows(token.id, 'rotated')).toEqual([]);
      },
    );
  });

  describe(`disable and enable (${variantName(variant)})`, () => {
    it('refuses a disabled token with 401 audited disabled_token, and lets it through again once enabled', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'switch' });
      expect((await health(rawToken)).status).toBe(200);
      const disabled = await app.tokens.disable(token.id, { actor: 'ops' });
      expect(disabled).toMatchObject({ disabled: true, state: 'disabled', isActive: false });

      const agent = uniqueAgent('disabled');
      const refused = await call(app, '/api/health', { token: rawToken, agent });
      expect(refused.status).toBe(401);
      expect(refused.body.message).toBe(MESSAGES.invalidToken);
      const [row] = await auditRowsOf(app, agent);
      expect(row).toMatchObject({ tokenId: token.id, extra: { error_code: 'disabled_token' } });
      await expect(app.tokens.authenticate(rawToken)).rejects.toBeInstanceOf(DisabledTokenError);

      expect(await app.tokens.enable(token.id, { actor: 'ops' })).toMatchObject({ disabled: false, state: 'active' });
      expect((await health(rawToken)).status).toBe(200);
      expect((await rows(token.id, 'disabled')).map((r) => r.extra)).toEqual([{ actor_id: 'ops' }]);
      expect((await rows(token.id, 'enabled')).map((r) => r.extra)).toEqual([{ actor_id: 'ops' }]);
    });

    it('is idempotent: a second disable or enable changes and audits nothing', async () => {
      const { token } = await app.tokens.create({ name: 'switch-twice' });
      await app.tokens.disable(token.id);
      expect((await app.tokens.disable(token.id)).disabled).toBe(true);
      await app.tokens.enable(token.id);
      expect((await app.tokens.enable(token.id)).disabled).toBe(false);
      expect(await rows(token.id, 'disabled')).toHaveLength(1);
      expect(await rows(token.id, 'enabled')).toHaveLength(1);
    });

    it('cannot enable (or disable) a revoked or purged token', async () => {
      const revoked = await app.tokens.create({ name: 'switch-revoked' });
      const purged = await app.tokens.create({ name: 'switch-purged' });
      await app.tokens.disable(revoked.token.id);
      await app.tokens.revoke(revoked.token.id);
      await app.tokens.purge(purged.token.id);
      await expect(app.tokens.enable(revoked.token.id)).rejects.toThrow(/revoked and cannot be enabled/);
      await expect(app.tokens.enable(purged.token.id)).rejects.toThrow(/purged and cannot be enabled/);
      await expect(app.tokens.disable(purged.token.id)).rejects.toBeInstanceOf(KeysmithValidationError);
      expect((await app.tokens.get(revoked.token.id)).state).toBe('revoked');
      expect((await health(revoked.rawToken)).status).toBe(401);
    });

    it('lists disabled tokens by state, and leaves them out of the active ones', async () => {
      const userId = `switch-list-${Date.now()}`;
      const on = await app.tokens.create({ name: 'on', userId });
      const off = await app.tokens.create({ name: 'off', userId });
      await app.tokens.disable(off.token.id);
      const ids = (tokens: Token[]) => tokens.map((token) => token.id);
      expect(ids(await app.tokens.list({ userId, state: 'disabled' }))).toEqual([off.token.id]);
      expect(ids(await app.tokens.list({ userId, state: 'active' }))).toEqual([on.token.id]);
      expect(ids(await app.tokens.list({ userId, active: false }))).toEqual([off.token.id]);
      expect(ids(await app.tokens.list({ userId, disabled: true }))).toEqual([off.token.id]);
    });
  });

  describe(`update (${variantName(variant)})`, () => {
    it('changes only the given fields, audits their names, and takes effect on the next request', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'upd', description: 'kept', scopes: ['notes:read'] });
      expect((await call(app, '/notes', { token: rawToken })).status).toBe(200);
      expect((await call(app, '/notes/write', { token: rawToken })).status).toBe(403);

      const updated = await app.tokens.update(token.id, {
        name: 'upd-renamed',
        scopes: ['notes:*'],
        metadata: { team: 'billing' },
        actor: 'ops',
      });
      expect(updated).toMatchObject({ name: 'upd-renamed', description: 'kept', scopes: ['notes:*'], metadata: { team: 'billing' } });
      expect((await call(app, '/notes/write', { token: rawToken })).status).toBe(200);
      const [row] = await rows(token.id, 'updated');
      expect(row.extra).toEqual({ actor_id: 'ops', fields: ['name', 'scopes', 'metadata'] });
    });

    it('changes and audits nothing when the values given are the current ones', async () => {
      const { token } = await app.tokens.create({ name: 'same', scopes: ['read'] });
      await app.tokens.update(token.id, { name: 'same', scopes: ['read'] });
      expect(await rows(token.id, 'updated')).toEqual([]);
    });

    it('refuses a bad field, naming it, and writes nothing of the others', async () => {
      const { token } = await app.tokens.create({ name: 'upd-refused' });
      const refusal = await app.tokens
        .update(token.id, { name: 'must-not-stick', allowedIps: ['10.0.0.0/33'] })
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(KeysmithValidationError);
      expect((refusal as KeysmithValidationError).field).toBe('allowedIps');
      expect((refusal as Error).message).toContain('10.0.0.0/33');
      expect((await app.tokens.get(token.id)).name).toBe('upd-refused');
      expect(await rows(token.id, 'updated')).toEqual([]);
    });
  });

  describe(`metadata (${variantName(variant)})`, () => {
    it('stores a JSON object at create and returns it on the token', async () => {
      const metadata = { team: 'billing', limits: { daily: 5 }, tags: ['a', 'b'], active: true, note: null };
      const { token, rawToken } = await app.tokens.create({ name: 'meta', metadata });
      expect((await app.tokens.get(token.id)).metadata).toEqual(metadata);
      expect((await app.tokens.authenticate(rawToken)).metadata).toEqual(metadata);
    });

    it.each<[string, unknown]>([
      ['an array', ['a']],
      ['a string', '{"a":1}'],
      ['a Date inside', { at: new Date() }],
      ['a function inside', { run: () => 1 }],
      ['NaN inside', { n: Number.NaN }],
      ['over 4096 bytes', { blob: 'x'.repeat(4_100) }],
    ])('refuses %s with a KeysmithValidationError naming metadata', async (_, metadata) => {
      const refusal = await app.tokens
        .create({ name: 'bad-meta', metadata: metadata as Record<string, unknown> })
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(KeysmithValidationError);
      expect((refusal as KeysmithValidationError).field).toBe('metadata');
    });
  });

  describe(`IP allowlist (${variantName(variant)})`, () => {
    it('lets the token through from a listed address or range, and answers 403 ipNotAllowed from elsewhere', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'pinned', allowedIps: ['127.0.0.1', '10.0.0.0/8'] });
      expect((await health(rawToken, '127.0.0.1')).status).toBe(200);
      const agent = uniqueAgent('outside');
      const refused = await call(app, '/api/health', { token: rawToken, from: '127.0.0.2', agent });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toBe(MESSAGES.ipNotAllowed);
      const [row] = await auditRowsOf(app, agent);
      expect(row).toMatchObject({
        action: 'auth_failed',
        tokenId: token.id,
        ipAddress: '127.0.0.2',
        extra: { error_code: 'ip_not_allowed' },
      });
      // A warm entry does not let the other address through either.
      expect((await health(rawToken, '127.0.0.2')).status).toBe(403);
    });

    it('matches a range, and applies a changed allowlist at once', async () => {
      const { token, rawToken } = await app.tokens.create({ name: 'ranged', allowedIps: ['127.0.0.0/30'] });
      expect((await health(rawToken, '127.0.0.2')).status).toBe(200);
      expect((await health(rawToken, '127.0.0.5')).status).toBe(403);
      await app.tokens.update(token.id, { allowedIps: ['127.0.0.5'] });
      expect((await health(rawToken, '127.0.0.5')).status).toBe(200);
      expect((await health(rawToken, '127.0.0.2')).status).toBe(403);
      await app.tokens.update(token.id, { allowedIps: null });
      expect((await health(rawToken, '127.0.0.2')).status).toBe(200);
    });

    it('sends no query for a warm request of an allowlisted token', async () => {
      const { rawToken } = await app.tokens.create({ name: 'pinned-warm', allowedIps: ['127.0.0.1'] });
      expect((await health(rawToken)).status).toBe(200);
      expect(tokenSelects(await queriesOf(() => health(rawToken)))).toEqual([]);
    });

    it('TokenService.authenticate() checks the address it is given, and refuses without one', async () => {
      const { rawToken } = await app.tokens.create({ name: 'pinned-service', allowedIps: ['192.0.2.0/24', '2001:db8::/32'] });
      expect((await app.tokens.authenticate(rawToken, { ip: '192.0.2.9' })).name).toBe('pinned-service');
      expect((await app.tokens.authenticate(rawToken, { ip: '::ffff:192.0.2.10' })).name).toBe('pinned-service');
      expect((await app.tokens.authenticate(rawToken, { ip: '2001:db8::1' })).name).toBe('pinned-service');
      await expect(app.tokens.authenticate(rawToken, { ip: '198.51.100.1' })).rejects.toBeInstanceOf(IpNotAllowedError);
      await expect(app.tokens.authenticate(rawToken)).rejects.toBeInstanceOf(IpNotAllowedError);
    });

    it.each(['10.0.0.300', '10.1', '10.0.0.0/33', '2001:db8::/129', 'localhost', '', '10.0.0.0/8/1'])(
      'refuses the entry %j, naming allowedIps and the entry',
      async (entry) => {
        const refusal = await app.tokens.create({ name: 'bad-ip', allowedIps: [entry] }).catch((error: unknown) => error);
        expect(refusal).toBeInstanceOf(KeysmithValidationError);
        expect((refusal as KeysmithValidationError).field).toBe('allowedIps');
        expect((refusal as Error).message).toContain(`"${entry}"`);
      },
    );
  });

  describe(`scopes (${variantName(variant)})`, () => {
    it('a granted namespace wildcard satisfies its scopes; anyOf needs one of its scopes', async () => {
      const wildcard = await app.tokens.create({ name: 'wild', scopes: ['notes:*'] });
      const reader = await app.tokens.create({ name: 'reader', scopes: ['notes:read'] });
      const admin = await app.tokens.create({ name: 'notes-admin', scopes: ['notes:admin'] });
      const other = await app.tokens.create({ name: 'other', scopes: ['read'] });

      expect((await call(app, '/notes', { token: wildcard.rawToken })).body).toMatchObject({ canWrite: true });
      expect((await call(app, '/notes/write', { token: wildcard.rawToken })).status).toBe(200);
      expect((await call(app, '/notes', { token: reader.rawToken })).body).toMatchObject({ canWrite: false });
      expect((await call(app, '/notes', { token: admin.rawToken })).status).toBe(200);

      const agent = uniqueAgent('no-any-of');
      const refused = await call(app, '/notes', { token: other.rawToken, agent });
      expect(refused.status).toBe(403);
      expect(refused.body.message).toBe(MESSAGES.insufficientScope);
      const [row] = await auditRowsOf(app, agent);
      expect(row.extra).toEqual({ error_code: 'insufficient_scope', missing_scopes: [], missing_any_of: [['notes:read', 'notes:admin']] });

      // Both anyOf lists apply, the class's and the handler's.
      expect((await call(app, '/notes/export', { token: wildcard.rawToken })).status).toBe(403);
      const exporter = await app.tokens.create({ name: 'exporter', scopes: ['notes:read', 'reports:export'] });
      expect((await call(app, '/notes/export', { token: exporter.rawToken })).status).toBe(200);
    });

    it('refuses "*" unless availableScopes lists it, a bad wildcard, and a wildcard over nothing available', async () => {
      for (const scope of ['*', 'notes*', '*:read', 'notes:*:x', 'billing:*']) {
        const refusal = await app.tokens.create({ name: 'bad-scope', scopes: [scope] }).catch((error: unknown) => error);
        expect(refusal, scope).toBeInstanceOf(KeysmithValidationError);
        expect((refusal as KeysmithValidationError).field, scope).toBe('scopes');
      }
    });
  });

  describe(`concurrent rotations (${variantName(variant)})`, () => {
    // A hash slower than a query: both rotations have read the token before either writes, as two
    // operators or two instances rotating at the same moment do, however loaded the machine is.
    let racing: TestApp;
    beforeAll(async () => {
      racing = await startTestApp({ suite: 'key-policy-rotations', variant, keysmith: { hasher: new SlowCountingHasher(50) } });
    });
    afterAll(() => racing?.close());

    it('of two rotations at once, one takes effect and the other says so: the raw token handed out works', async () => {
      const { token } = await racing.tokens.create({ name: 'race' });
      const outcomes = await Promise.allSettled([racing.tokens.rotate(token.id), racing.tokens.rotate(token.id)]);
      const won = outcomes.filter((outcome): outcome is PromiseFulfilledResult<string> => outcome.status === 'fulfilled');
      const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0].reason).toBeInstanceOf(TokenConflictError);
      expect((await racing.tokens.authenticate(won[0].value)).id).toBe(token.id);
    });
  });
});
