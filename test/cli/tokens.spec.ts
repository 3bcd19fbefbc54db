import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidTokenError, RevokedTokenError, Token, type CreateTokenInput, type TokenAuditLog } from '../../lib/index.js';
import { createCliApp, dataSourceModule, lines, type CliApp } from './cli-app.js';
import { cliDatabases, openCliDatabase, type CliDatabase } from './cli-database.js';

const DAY_MS = 86_400_000;
const RAW_TOKEN = /^tok_[0-9A-Za-z]{8}:[0-9A-Za-z]{32}[0-9]{6}$/;
/** What the command line says once after it changed a token, when it is given no redis. */
const NOTE =
  "Note: Without the redis option, a change of a token (rotated, revoked, purged, disabled, updated) reaches no other process's verification cache: running instances " +
  'of the application may accept the token as it was for up to 60 s (cacheTtlSeconds). Give the application and the keysmith ' +
  'command line (KEYSMITH_REDIS) the same redis to drop it everywhere at once.\n';

describe.each(cliDatabases())('keysmith tokens on %s', (database) => {
  let db: CliDatabase;
  let app: CliApp;
  const keysmith = (...args: string[]) => app.run([...args, '-d', 'data-source.js']);

  beforeAll(async () => {
    db = await openCliDatabase(database, 'cli_tokens');
    app = await createCliApp({
      files: { 'data-source.js': dataSourceModule(db.connection, { bcryptRounds: 4, availableScopes: ['read', 'write', 'admin'] }) },
    });
  });
  afterAll(async () => {
    await app?.remove();
    await db?.close();
  });

  /** `keysmith tokens create`, and the token it stored. */
  async function createdByCli(...args: string[]): Promise<{ rawToken: string; token: Token }> {
    const run = await keysmith('tokens', 'create', ...args);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    const rawToken = run.stdout.trim();
    const token = await db.dataSource.getRepository(Token).findOneByOrFail({ prefix: rawToken.slice(0, rawToken.indexOf(':')) });
    return { rawToken, token };
  }

  /** A token made on this side, for the commands that act on one. */
  const seeded = (name: string, input: Partial<CreateTokenInput> = {}) => db.keysmith.tokens.create({ name, ...input });

  const auditRows = (token: Token, action?: TokenAuditLog['action']) =>
    db.keysmith.auditLog.list({ tokenId: token.id, ...(action ? { action } : {}) });

  it('create prints the raw token alone on stdout and confirms on stderr; the token authenticates', async () => {
    const before = Date.now();
    const run = await keysmith('tokens', 'create', '--name', 'ci-deploy', '--user', '42', '--scopes', 'read,write', '--expires-in', '30d');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^tok_[0-9A-Za-z]{8}:[0-9A-Za-z]{32}[0-9]{6}\n$/);
    const rawToken = run.stdout.trim();
    const prefix = rawToken.slice(0, rawToken.indexOf(':'));
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(`^Created token ${prefix} "ci-deploy" \\(user 42, scopes read,write, expires \\S+\\)\\. .*shown only this once`),
      ),
    ]);
    expect(run.stderr).not.toContain(rawToken);

    const token = await db.keysmith.tokens.authenticate(rawToken);
    expect(token).toMatchObject({ prefix, name: 'ci-deploy', userId: '42', scopes: ['read', 'write'], tokenType: 'user' });
    expect(token.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 30 * DAY_MS - 1000);
    expect(token.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 30 * DAY_MS + 1000);
  });

  it('create records the audit row with extra.source "cli" and the actor', async () => {
    const { token } = await createdByCli('--name', 'audited', '--actor', 'ops-alice', '--description', 'nightly job', '--type', 'system');
    expect(token).toMatchObject({ description: 'nightly job', tokenType: 'system', createdById: 'ops-alice', userId: null });
    expect(await auditRows(token)).toMatchObject([{ action: 'created', extra: { source: 'cli', actor_id: 'ops-alice' } }]);
  });

  it('create takes --expires-in never and hours', async () => {
    const never = await createdByCli('--name', 'forever', '--expires-in', 'never');
    expect(never.token.expiresAt).toBeNull();
    const hours = await createdByCli('--name', 'half-day', '--expires-in', '12h');
    const left = hours.token.expiresAt!.getTime() - Date.now();
    expect(left).toBeGreaterThan(12 * 3_600_000 - 60_000);
    expect(left).toBeLessThanOrEqual(12 * 3_600_000);
  });

  it('create refuses a scope outside availableScopes with one line and exit 1', async () => {
    const run = await keysmith('tokens', 'create', '--name', 'too-wide', '--scopes', 'read,superuser');
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'keysmith: Unknown scope "superuser"; available scopes: read, write, admin.\n' });
    expect(await db.dataSource.getRepository(Token).findOneBy({ name: 'too-wide' })).toBeNull();
  });

  it('list shows a table of prefix, name, user, scopes, state, expiry and last use, filtered by user', async () => {
    const { token } = await seeded('listed', { user: 'list-user', scopes: ['read'], expiresAt: null });
    const lastUsedAt = new Date('2026-03-04T05:06:07.890Z');
    await db.dataSource.getRepository(Token).update({ id: token.id }, { lastUsedAt });
    const run = await keysmith('tokens', 'list', '--user', 'list-user');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('1 token matches.\n');
    const [header, row, ...rest] = lines(run.stdout);
    expect(header.split(/\s{2,}/)).toEqual(['PREFIX', 'NAME', 'USER', 'SCOPES', 'STATE', 'EXPIRES', 'LAST USED']);
    expect(row.split(/\s{2,}/)).toEqual([token.prefix, 'listed', 'list-user', 'read', 'active', 'never', '2026-03-04T05:06:07Z']);
    expect(rest).toEqual([]);
  });

  it('list --json prints the tokens of the filter as JSON, newest first, without the hash; --limit caps them', async () => {
    const first = await seeded('json-one', { user: 'json-user', scopes: ['admin'] });
    const second = await seeded('json-two', { user: 'json-user' });
    const run = await keysmith('tokens', 'list', '--user', 'json-user', '--json');
    expect(run.code).toBe(0);
    const listed = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(listed.map((token) => token.prefix)).toEqual([second.token.prefix, first.token.prefix]);
    expect(listed[1]).toEqual({
      id: first.token.id,
      prefix: first.token.prefix,
      name: 'json-one',
      description: '',
      tokenType: 'user',
      userId: 'json-user',
      createdById: null,
      scopes: ['admin'],
      state: 'active',
      createdAt: first.token.createdAt.toISOString(),
      expiresAt: first.token.expiresAt!.toISOString(),
      lastUsedAt: null,
      revoked: false,
      purged: false,
      disabled: false,
      previousSecretExpiresAt: null,
      metadata: null,
      allowedIps: null,
      rateLimit: null,
      quota: null,
    });
    expect(run.stdout).not.toContain(first.token.key);

    const limited = await keysmith('tokens', 'list', '--user', 'json-user', '--json', '--limit', '1');
    expect((JSON.parse(limited.stdout) as { prefix: string }[]).map((token) => token.prefix)).toEqual([second.token.prefix]);
  });

  it('list --active and --inactive split tokens by state; an empty listing says so on stderr', async () => {
    const active = await seeded('state-active', { user: 'state-user' });
    const expired = await seeded('state-expired', { user: 'state-user', expiresAt: new Date(Date.now() - 60_000) });
    const states = async (filter: string) => {
      const run = await keysmith('tokens', 'list', '--user', 'state-user', '--json', filter);
      return (JSON.parse(run.stdout) as { prefix: string; state: string }[]).map((token) => `${token.prefix} ${token.state}`);
    };
    expect(await states('--active')).toEqual([`${active.token.prefix} active`]);
    expect(await states('--inactive')).toEqual([`${expired.token.prefix} expired`]);

    const empty = await keysmith('tokens', 'list', '--user', 'nobody-has-this-id');
    expect(empty).toEqual({ code: 0, stdout: '', stderr: 'No tokens match.\n' });
  });

  it('rotate by prefix prints the new raw token alone; the old one fails, the new one works', async () => {
    const { rawToken, token } = await seeded('rotating');
    const run = await keysmith('tokens', 'rotate', token.prefix);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\n$/);
    const rotated = run.stdout.trim();
    expect(rotated).toMatch(RAW_TOKEN);
    expect(rotated.startsWith(`${token.prefix}:`)).toBe(true);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^Rotated token ${token.prefix}: the old raw token no longer works`)),
      NOTE.trimEnd(),
    ]);

    await expect(db.keysmith.tokens.authenticate(rawToken)).rejects.toBeInstanceOf(InvalidTokenError);
    expect((await db.keysmith.tokens.authenticate(rotated)).id).toBe(token.id);
    expect(await auditRows(token, 'rotated')).toMatchObject([{ extra: { source: 'cli' } }]);
  });

  it('rotate by id records the actor, and refuses a revoked token with one line', async () => {
    const { token } = await seeded('rotate-by-id');
    const byId = await keysmith('tokens', 'rotate', token.id, '--actor', 'ops-bob');
    expect(byId.code).toBe(0);
    expect(byId.stdout.trim().startsWith(`${token.prefix}:`)).toBe(true);
    expect(await auditRows(token, 'rotated')).toMatchObject([{ extra: { source: 'cli', actor_id: 'ops-bob' } }]);

    await db.keysmith.tokens.revoke(token.id);
    const refused = await keysmith('tokens', 'rotate', token.prefix);
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: `keysmith: Token ${token.prefix} is revoked and cannot be rotated; create a new token instead.\n`,
    });
  });

  it('revoke stops the token at once and audits it once; a second revoke changes nothing', async () => {
    const { rawToken, token } = await seeded('revoking');
    const run = await keysmith('tokens', 'revoke', token.id);
    expect(run).toEqual({ code: 0, stdout: '', stderr: `Revoked token ${token.prefix}.\n${NOTE}` });
    await expect(db.keysmith.tokens.authenticate(rawToken)).rejects.toBeInstanceOf(RevokedTokenError);

    const again = await keysmith('tokens', 'revoke', token.prefix);
    expect(again).toEqual({ code: 0, stdout: '', stderr: `Token ${token.prefix} was already revoked; nothing changed.\n` });
    expect(await auditRows(token, 'revoked')).toMatchObject([{ extra: { source: 'cli' } }]);
  });

  it('purge revokes and marks purged, audited as a purge from the cli; the listing shows it', async () => {
    const { rawToken, token } = await seeded('purging', { user: 'purge-user' });
    const run = await keysmith('tokens', 'purge', token.prefix, '--actor', 'ops-carol');
    expect(run).toEqual({ code: 0, stdout: '', stderr: `Purged token ${token.prefix}: it is revoked and marked purged.\n${NOTE}` });
    expect(await db.dataSource.getRepository(Token).findOneByOrFail({ id: token.id })).toMatchObject({ revoked: true, purged: true });
    await expect(db.keysmith.tokens.authenticate(rawToken)).rejects.toBeInstanceOf(RevokedTokenError);
    expect(await auditRows(token, 'revoked')).toMatchObject([{ extra: { source: 'cli', actor_id: 'ops-carol', purge: true } }]);

    const listed = await keysmith('tokens', 'list', '--user', 'purge-user');
    expect(lines(listed.stdout)[1].split(/\s{2,}/)[4]).toBe('purged');
  });

  it.each([
    ['rotate', 'tok_Unknown1'],
    ['revoke', '00000000-0000-4000-8000-00000000abcd'],
  ])('%s of an unknown prefix or id fails with one line and exit 1', async (action, reference) => {
    const run = await keysmith('tokens', action, reference);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `keysmith: No token has the id or prefix "${reference}".\n` });
  });

  it('looks prefixes up exactly, whatever the database collation', async () => {
    const { token } = await seeded('case-sensitive');
    const wrongCase = token.prefix.toUpperCase() === token.prefix ? token.prefix.toLowerCase() : token.prefix.toUpperCase();
    const run = await keysmith('tokens', 'purge', wrongCase);
    expect(run).toEqual({ code: 1, stdout: '', stderr: `keysmith: No token has the id or prefix "${wrongCase}".\n` });
  });
});
