import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Token, TokenAuditLog, type CreateTokenInput } from '../../lib/index.js';
import { createCliApp, dataSourceModule, lines, type CliApp } from './cli-app.js';
import { cliDatabases, openCliDatabase, type CliDatabase } from './cli-database.js';

const DAY_MS = 86_400_000;
const NOTE = 'Note: Without the redis option, a change of a token (rotated, revoked, purged, disabled, updated) reaches no other process';

describe.each(cliDatabases())('operating tokens for a year with keysmith on %s', (database) => {
  let db: CliDatabase;
  let app: CliApp;
  const keysmith = (...args: string[]) => app.run([...args, '-d', 'data-source.js']);
  const answering = (input: string, ...args: string[]) => app.run([...args, '-d', 'data-source.js'], {}, input);

  beforeAll(async () => {
    db = await openCliDatabase(database, 'cli_operate');
    const keysmithOptions = {
      bcryptRounds: 4,
      availableScopes: ['read', 'write', 'keysmith:admin'],
      maxExpiryDays: 90,
      maxExpiryDaysByScope: { 'keysmith:admin': 30 },
    };
    app = await createCliApp({ files: { 'data-source.js': dataSourceModule(db.connection, keysmithOptions) } });
  });
  afterAll(async () => {
    await app?.remove();
    await db?.close();
  });

  const repository = () => db.dataSource.getRepository(Token);
  const seeded = (name: string, input: Partial<CreateTokenInput> = {}) => db.keysmith.tokens.create({ name, ...input });
  const prefixesOf = (stdout: string) => (JSON.parse(stdout) as { prefix: string }[]).map((token) => token.prefix);
  const revokedCount = () => repository().count({ where: { revoked: true } });

  describe('listings that say what they hold', () => {
    let many: string[];
    beforeAll(async () => {
      many = [];
      for (let i = 0; i < 106; i++) many.unshift((await seeded(`many-${String(i).padStart(3, '0')}`, { user: 'many' })).token.prefix);
    });

    it('tokens list says how many match and how to get the rest; --offset and --all reach every token', async () => {
      const first = await keysmith('tokens', 'list', '--user', 'many');
      expect(first.code).toBe(0);
      expect(lines(first.stdout)).toHaveLength(101);
      expect(first.stderr).toBe('Showing 1-100 of 106 tokens; the next page: --offset 100, every one: --all.\n');

      const rest = await keysmith('tokens', 'list', '--user', 'many', '--offset', '100', '--json');
      expect(prefixesOf(rest.stdout)).toEqual(many.slice(100));
      expect(rest.stderr).toBe('Showing 101-106 of 106 tokens; every one: --all.\n');

      const all = await keysmith('tokens', 'list', '--user', 'many', '--all', '--json');
      expect(prefixesOf(all.stdout)).toEqual(many);
      expect(all.stderr).toBe('106 tokens match.\n');

      const past = await keysmith('tokens', 'list', '--user', 'many', '--offset', '200');
      expect(past).toEqual({ code: 0, stdout: '', stderr: '106 tokens match, none at --offset 200: the last is at --offset 105.\n' });
    });

    it('--search finds part of a name in any case, --limit and --offset page through it', async () => {
      const run = await keysmith('tokens', 'list', '--search', 'MANY-10', '--limit', '3', '--offset', '2', '--json');
      expect(prefixesOf(run.stdout)).toEqual(many.slice(2, 5));
      expect(run.stderr).toBe('Showing 3-5 of 6 tokens; the next page: --offset 5, every one: --all.\n');
    });
  });

  it('--state, disabled included, means what the admin API and TokenService mean; --revoked and --purged are its deprecated aliases', async () => {
    const user = `states-${randomUUID()}`;
    const active = await seeded('s-active', { user, scopes: ['read'] });
    const expired = await seeded('s-expired', { user, expiresAt: new Date(Date.now() - 60_000) });
    const revoked = await seeded('s-revoked', { user, scopes: ['write'] });
    const purged = await seeded('s-purged', { user });
    const disabled = await seeded('s-disabled', { user });
    await db.keysmith.tokens.revoke(revoked.token.id);
    await db.keysmith.tokens.purge(purged.token.id);
    await db.keysmith.tokens.disable(disabled.token.id);
    const listed = async (...filter: string[]) => {
      const run = await keysmith('tokens', 'list', '--user', user, '--json', ...filter);
      expect(run.code, run.stderr).toBe(0);
      return { prefixes: prefixesOf(run.stdout), stderr: run.stderr };
    };

    expect((await listed('--state', 'active')).prefixes).toEqual([active.token.prefix]);
    expect((await listed('--state', 'expired')).prefixes).toEqual([expired.token.prefix]);
    expect((await listed('--state', 'revoked')).prefixes).toEqual([revoked.token.prefix]);
    expect((await listed('--state', 'purged')).prefixes).toEqual([purged.token.prefix]);
    expect((await listed('--state', 'disabled')).prefixes).toEqual([disabled.token.prefix]);
    expect(await listed('--revoked')).toEqual({
      prefixes: [revoked.token.prefix],
      stderr: 'Note: --revoked is deprecated; write --state revoked, which it now means.\n1 token matches.\n',
    });
    expect((await listed('--purged')).prefixes).toEqual([purged.token.prefix]);
    expect((await listed('--scope', 'write')).prefixes).toEqual([revoked.token.prefix]);
    expect((await listed('--inactive')).prefixes).toEqual([disabled, purged, revoked, expired].map(({ token }) => token.prefix));

    const revokeDisabled = await keysmith('tokens', 'revoke', '--user', user, '--state', 'disabled', '--yes');
    expect(lines(revokeDisabled.stderr)[0]).toBe('Revoked 1 token.');
    expect((await listed('--state', 'revoked')).prefixes).toEqual([disabled, revoked].map(({ token }) => token.prefix));
    expect((await listed('--state', 'active')).prefixes).toEqual([active.token.prefix]);
  });

  it('tokens show prints one token in full with its latest audit rows, and --json as one object', async () => {
    const { token } = await seeded('shown', { user: 'show-user', scopes: ['read', 'write'], description: 'billing export' });
    await repository().update({ id: token.id }, { lastUsedAt: new Date('2026-03-04T05:06:07.890Z') });
    for (const action of ['rotate', 'revoke']) expect((await keysmith('tokens', action, token.prefix)).code).toBe(0);

    const run = await keysmith('tokens', 'show', token.prefix);
    expect(run.code, run.stderr).toBe(0);
    const [fields, audit] = run.stdout.split('\n\n');
    const shown: Record<string, string> = Object.fromEntries(lines(fields).map((line) => line.split(/\s{2,}/) as [string, string]));
    expect(shown).toMatchObject({
      ID: token.id,
      PREFIX: token.prefix,
      NAME: 'shown',
      DESCRIPTION: 'billing export',
      'TOKEN TYPE': 'user',
      'USER ID': 'show-user',
      'CREATED BY ID': '-',
      SCOPES: 'read,write',
      STATE: 'revoked',
      'LAST USED AT': 'never',
    });
    expect(shown['CREATED AT']).toBe(token.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const [title, header, ...rows] = lines(audit);
    expect(title).toBe('AUDIT (3 of 3, newest first)');
    expect(header.split(/\s{2,}/)[1]).toBe('ACTION');
    expect(rows.map((row) => row.split(/\s{2,}/)[1])).toEqual(['revoked', 'rotated', 'created']);

    const json = await keysmith('tokens', 'show', token.id, '--json', '--audit', '1');
    const object = JSON.parse(json.stdout) as Record<string, unknown> & { auditRows: Record<string, unknown>[] };
    expect(object).toMatchObject({ id: token.id, prefix: token.prefix, state: 'revoked', lastUsedAt: null, description: 'billing export' });
    expect(object.auditRows).toEqual([expect.objectContaining({ action: 'revoked', tokenId: token.id, tokenPrefix: token.prefix })]);
    expect(json.stdout).not.toContain(token.key);
  });

  it('tokens create --json prints the token and its raw value as one object; --expires-at sets the expiry', async () => {
    const expiresAt = new Date(Date.now() + 10 * DAY_MS);
    const run = await keysmith('tokens', 'create', '--name', 'as-json', '--expires-at', expiresAt.toISOString(), '--json');
    expect(run.code, run.stderr).toBe(0);
    const created = JSON.parse(run.stdout) as { id: string; prefix: string; expiresAt: string; rawToken: string };
    expect(created).toMatchObject({ name: 'as-json', state: 'active', expiresAt: expiresAt.toISOString() });
    expect(created.rawToken.startsWith(`${created.prefix}:`)).toBe(true);
    expect(run.stderr).not.toContain(created.rawToken);
    expect((await db.keysmith.tokens.authenticate(created.rawToken)).id).toBe(created.id);

    const dateOnly = await keysmith(
      'tokens',
      'create',
      '--name',
      'date-only',
      '--expires-at',
      expiresAt.toISOString().slice(0, 10),
      '--json',
    );
    expect((JSON.parse(dateOnly.stdout) as { expiresAt: string }).expiresAt).toBe(`${expiresAt.toISOString().slice(0, 10)}T00:00:00.000Z`);
  });

  it('the lifetime policy refuses a later expiry, or none, naming the limit; nothing is created', async () => {
    const never = await keysmith('tokens', 'create', '--name', 'too-long', '--expires-in', 'never');
    expect(never).toEqual({
      code: 1,
      stdout: '',
      stderr: 'keysmith: expiresAt: a token must expire within 90 days (maxExpiryDays); it cannot be made to never expire.\n',
    });
    const admin = await keysmith('tokens', 'create', '--name', 'too-long', '--scopes', 'keysmith:admin', '--expires-in', '31d');
    expect(admin.code).toBe(1);
    expect(admin.stderr).toMatch(
      /^keysmith: expiresAt \S+ is past the limit of 30 days \(maxExpiryDaysByScope\['keysmith:admin'\]\); the latest allowed is \S+\.\n$/,
    );
    const defaulted = await keysmith('tokens', 'create', '--name', 'admin-default', '--scopes', 'keysmith:admin', '--json');
    const { expiresAt } = JSON.parse(defaulted.stdout) as { expiresAt: string };
    expect(Math.abs(Date.parse(expiresAt) - (Date.now() + 30 * DAY_MS))).toBeLessThan(60_000);
    expect(await repository().countBy({ name: 'too-long' })).toBe(0);
  });

  it('tokens revoke --user --all asks for confirmation, revokes nothing without it, and prints the count', async () => {
    const user = `leaver-${randomUUID().slice(0, 8)}`;
    const live = await Promise.all(['l1', 'l2', 'l3'].map((name) => seeded(name, { user })));
    const gone = await seeded('l-gone', { user });
    await db.keysmith.tokens.revoke(gone.token.id);
    const question = `Revoke 3 live tokens (user ${user})? [y/N] `;

    const declined = await answering('no\n', 'tokens', 'revoke', '--user', user, '--all');
    expect(declined).toEqual({ code: 1, stdout: '', stderr: `${question}keysmith: not confirmed; nothing revoked.\n` });
    const unanswered = await answering('', 'tokens', 'revoke', '--user', user, '--all');
    expect(unanswered.code).toBe(1);
    expect(await repository().countBy({ userId: user, revoked: false })).toBe(3);

    const confirmed = await answering('yes\n', 'tokens', 'revoke', '--user', user, '--all', '--actor', 'hr-bot');
    expect(confirmed.code).toBe(0);
    expect(lines(confirmed.stderr)).toEqual([`${question}Revoked 3 tokens.`, expect.stringContaining(NOTE)]);
    expect(await repository().countBy({ userId: user, revoked: false })).toBe(0);
    for (const { token } of live) {
      expect(await db.keysmith.auditLog.list({ tokenId: token.id, action: 'revoked' })).toMatchObject([
        { extra: { source: 'cli', actor_id: 'hr-bot' } },
      ]);
    }

    const again = await keysmith('tokens', 'revoke', '--user', user, '--all', '--yes');
    expect(again).toEqual({ code: 0, stdout: '', stderr: 'No live token matches; nothing revoked.\n' });
  });

  it('tokens revoke --unused-since 90d --yes revokes the tokens nobody used for 90 days, and says once what a revoke means', async () => {
    const user = `dormant-${randomUUID().slice(0, 8)}`;
    const old = new Date(Date.now() - 200 * DAY_MS);
    const [neverUsed, usedLongAgo, usedToday, fresh] = await Promise.all(
      ['never-used', 'used-long-ago', 'used-today', 'fresh'].map((name) => seeded(name, { user })),
    );
    await repository().update({ id: neverUsed.token.id }, { createdAt: old });
    await repository().update({ id: usedLongAgo.token.id }, { createdAt: old, lastUsedAt: new Date(Date.now() - 100 * DAY_MS) });
    await repository().update({ id: usedToday.token.id }, { createdAt: old, lastUsedAt: new Date() });

    const run = await keysmith('tokens', 'revoke', '--unused-since', '90d', '--yes');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split(NOTE)).toHaveLength(2);
    expect(lines(run.stderr)[0]).toBe('Revoked 2 tokens.');
    const states = await Promise.all(
      [neverUsed, usedLongAgo, usedToday, fresh].map(async ({ token }) => (await db.keysmith.tokens.get(token.id)).state),
    );
    expect(states).toEqual(['revoked', 'revoked', 'active', 'active']);
  });

  it.each([
    [
      ['tokens', 'list', '--state', 'gone'],
      /^keysmith: option '--state <state>' argument 'gone' is invalid\. Allowed choices are active, /,
    ],
    [
      ['tokens', 'list', '--offset', '-1'],
      /^keysmith: option '--offset <n>' argument '-1' is invalid\. Expected a whole number of at least 0\.$/,
    ],
    [['tokens', 'list', '--all', '--limit', '5'], /^keysmith: option '--limit <n>' cannot be used with option '--all'$/],
    [['audit', 'list', '--since', '7d', '--until', '30d'], /^keysmith: --until \S+ is not after --since \S+\.$/],
    [
      ['audit', 'list', '--status', '99'],
      /^keysmith: option '--status <code>' argument '99' is invalid\. Expected an HTTP status from 100 to 599\.$/,
    ],
    [
      ['tokens', 'revoke', '--all'],
      /^keysmith: revoking many tokens needs a filter that says whose: --user, --type, --scope, --created-before, --unused-since\.$/,
    ],
    [['tokens', 'revoke', '--all', '--state', 'active', '--yes'], /^keysmith: revoking many tokens needs a filter that says whose: /],
    [['tokens', 'revoke', '--state', 'revoked', '--user', 'x'], /^keysmith: option '--state <state>' argument 'revoked' is invalid\./],
    [['tokens', 'revoke', 'tok_Whatever', '--user', 'x'], /^keysmith: give the token to revoke, or filters with --all, not both\.$/],
    [['tokens', 'revoke'], /^keysmith: give the token to revoke \(prefix or id\), or --all with a filter such as --user <id>\.$/],
    [
      ['tokens', 'revoke', '--unused-since', 'yesterday', '--yes'],
      /^keysmith: option '--unused-since <when>' argument 'yesterday' is invalid\./,
    ],
    [
      ['tokens', 'create', '--name', 'x', '--expires-in', '1d', '--expires-at', '2026-12-01'],
      /cannot be used with option '--expires-at <date>'$/,
    ],
    [
      ['tokens', 'create', '--name', 'x', '--expires-at', '2026-02-30'],
      /^keysmith: option '--expires-at <date>' argument '2026-02-30' is invalid\./,
    ],
    [
      ['audit', 'prune', '--older-than', '0d'],
      /^keysmith: option '--older-than <when>' argument '0d' is invalid\. Expected a duration of at least 1m/,
    ],
    [['audit', 'prune'], /^keysmith: required option '--older-than <when>' not specified$/],
  ])('keysmith %j fails with one line and exit 1, and changes nothing', async (args, message) => {
    const revokedBefore = await revokedCount();
    const auditRowsBefore = await db.dataSource.getRepository(TokenAuditLog).count();
    const run = await keysmith(...args);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([expect.stringMatching(message)]);
    expect(await revokedCount()).toBe(revokedBefore);
    expect(await db.dataSource.getRepository(TokenAuditLog).count()).toBe(auditRowsBefore);
  });

  describe('the audit log', () => {
    let token: Token;
    /** Rows a day apart, oldest first: 401s on even days, 200s on odd ones, the oldest 120 days back. */
    beforeAll(async () => {
      ({ token } = await seeded('audited-at-length'));
      const rows = Array.from({ length: 121 }, (_, i) =>
        Object.assign(new TokenAuditLog(), {
          id: randomUUID(),
          tokenId: token.id,
          action: i % 2 === 0 ? 'auth_failed' : 'auth_success',
          path: '/api/health',
          method: 'GET',
          statusCode: i % 2 === 0 ? 401 : 200,
          ipAddress: '203.0.113.7',
          userAgent: 'curl/8.5.0',
          extra: {},
          createdAt: new Date(Date.now() - (120 - i) * DAY_MS - 60_000),
        }),
      );
      await db.dataSource.getRepository(TokenAuditLog).insert(rows);
    });
    const times = (stdout: string) => (JSON.parse(stdout) as { createdAt: string; statusCode: number | null }[]).map((row) => row);

    it('audit list says how many rows match, and takes --until, --status, --offset and --all', async () => {
      const first = await keysmith('audit', 'list', '--token', token.prefix);
      expect(lines(first.stdout)).toHaveLength(101);
      expect(first.stderr).toBe('Showing 1-100 of 122 audit rows; the next page: --offset 100, every one: --all.\n');

      const all = await keysmith('audit', 'list', '--token', token.prefix, '--all', '--json');
      expect(times(all.stdout)).toHaveLength(122);
      expect(all.stderr).toBe('122 audit rows match.\n');

      const failed = await keysmith(
        'audit',
        'list',
        '--token',
        token.prefix,
        '--status',
        '401',
        '--since',
        '30d',
        '--until',
        '10d',
        '--json',
      );
      const rows = times(failed.stdout);
      expect(rows.length).toBe(10);
      expect(rows.every((row) => row.statusCode === 401)).toBe(true);
      expect(
        rows.every((row) => Date.parse(row.createdAt) < Date.now() - 10 * DAY_MS && Date.parse(row.createdAt) >= Date.now() - 30 * DAY_MS),
      ).toBe(true);
      expect(failed.stderr).toBe('10 audit rows match.\n');

      const paged = await keysmith('audit', 'list', '--token', token.prefix, '--status', '200', '--limit', '2', '--offset', '3', '--json');
      const everyOk = times((await keysmith('audit', 'list', '--token', token.prefix, '--status', '200', '--json')).stdout);
      expect(times(paged.stdout)).toEqual(everyOk.slice(3, 5));
      expect(paged.stderr).toBe('Showing 4-5 of 60 audit rows; the next page: --offset 5, every one: --all.\n');
    });

    it('audit prune --older-than 90d deletes the older rows and keeps the rest', async () => {
      const run = await keysmith('audit', 'prune', '--older-than', '90d');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/^Deleted 31 audit rows created before \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\.\n$/);
      const left = await db.keysmith.auditLog.list({ tokenId: token.id, limit: 1_000 });
      expect(left).toHaveLength(91);
      expect(left.every((row) => row.createdAt.getTime() >= Date.now() - 90 * DAY_MS - 60_000)).toBe(true);
    });
  });
});
