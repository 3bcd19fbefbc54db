import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Token, type TokenView } from '../../lib/index.js';
import { createCliApp, dataSourceModule, lines, type CliApp } from './cli-app.js';
import { cliDatabases, openCliDatabase, type CliDatabase } from './cli-database.js';

describe.each(cliDatabases())('keysmith tokens: key policies on %s', (database) => {
  let db: CliDatabase;
  let app: CliApp;
  const keysmith = (...args: string[]) => app.run([...args, '-d', 'data-source.js']);

  beforeAll(async () => {
    db = await openCliDatabase(database, 'cli_key_policy');
    app = await createCliApp({
      files: { 'data-source.js': dataSourceModule(db.connection, { bcryptRounds: 4, availableScopes: ['read', 'notes:*'] }) },
    });
  });
  afterAll(async () => {
    await app?.remove();
    await db?.close();
  });

  const stored = (prefix: string) => db.dataSource.getRepository(Token).findOneByOrFail({ prefix });
  const prefixOf = (rawToken: string) => rawToken.slice(0, rawToken.indexOf(':'));

  it('create takes --metadata and --allow-ip, and list --json shows them', async () => {
    const run = await keysmith(
      'tokens',
      'create',
      '--name',
      'pinned',
      '--metadata',
      '{"team":"billing"}',
      '--allow-ip',
      '10.0.0.0/8,192.0.2.7',
      '--allow-ip',
      '::1',
    );
    expect(run, run.stderr).toMatchObject({ code: 0 });
    const prefix = prefixOf(run.stdout.trim());
    expect(await stored(prefix)).toMatchObject({ metadata: { team: 'billing' }, allowedIps: ['10.0.0.0/8', '192.0.2.7', '::1'] });

    const listed = await keysmith('tokens', 'list', '--json');
    const view = (JSON.parse(listed.stdout) as TokenView[]).find((token) => token.prefix === prefix);
    expect(view).toMatchObject({ metadata: { team: 'billing' }, allowedIps: ['10.0.0.0/8', '192.0.2.7', '::1'], disabled: false });
  });

  it('rotate --grace keeps the old raw token working until the deadline it prints', async () => {
    const { token, rawToken } = await db.keysmith.tokens.create({ name: 'graceful' });
    const run = await keysmith('tokens', 'rotate', token.prefix, '--grace', '1h');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(lines(run.stderr)[0]).toMatch(/the old raw token keeps working until \S+/);
    const rotated = run.stdout.trim();
    expect((await db.keysmith.tokens.authenticate(rawToken)).id).toBe(token.id);
    expect((await db.keysmith.tokens.authenticate(rotated)).id).toBe(token.id);
    const { previousSecretExpiresAt } = await stored(token.prefix);
    expect(previousSecretExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
  });

  it('disable and enable switch a token off and on, each once, audited with source cli', async () => {
    const { token, rawToken } = await db.keysmith.tokens.create({ name: 'switched' });
    expect(await keysmith('tokens', 'disable', token.prefix, '--actor', 'ops')).toMatchObject({ code: 0 });
    await expect(db.keysmith.tokens.authenticate(rawToken)).rejects.toMatchObject({ code: 'disabled_token' });
    const again = await keysmith('tokens', 'disable', token.prefix);
    expect(again.stderr).toContain('already disabled');
    const listed = await keysmith('tokens', 'list', '--state', 'disabled');
    expect(listed.stdout).toContain(token.prefix);
    expect(listed.stdout).toMatch(new RegExp(`${token.prefix}.*disabled`));

    expect(await keysmith('tokens', 'enable', token.prefix)).toMatchObject({ code: 0 });
    expect((await db.keysmith.tokens.authenticate(rawToken)).id).toBe(token.id);
    const rows = await db.keysmith.auditLog.list({ tokenId: token.id });
    expect(rows.filter((row) => row.action === 'disabled').map((row) => row.extra)).toEqual([{ source: 'cli', actor_id: 'ops' }]);
    expect(rows.filter((row) => row.action === 'enabled')).toHaveLength(1);
  });

  it('update changes only the options given and names the fields it changed', async () => {
    const { token } = await db.keysmith.tokens.create({ name: 'updatable', scopes: ['read'], allowedIps: ['10.0.0.1'] });
    const run = await keysmith('tokens', 'update', token.prefix, '--scopes', 'notes:*', '--metadata', '{"ticket":"OPS-12"}');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(lines(run.stderr)[0]).toBe(`Updated token ${token.prefix}: scopes, metadata.`);
    expect(await stored(token.prefix)).toMatchObject({
      name: 'updatable',
      scopes: ['notes:*'],
      metadata: { ticket: 'OPS-12' },
      allowedIps: ['10.0.0.1'],
    });

    expect(await keysmith('tokens', 'update', token.prefix, '--any-ip', '--metadata', 'null')).toMatchObject({ code: 0 });
    expect(await stored(token.prefix)).toMatchObject({ metadata: null, allowedIps: null });
  });

  it.each<[string, string[], RegExp]>([
    ['malformed --metadata JSON', ['--metadata', '{team:'], /--metadata <json>.*JSON object/],
    ['--metadata that is an array', ['--metadata', '[1]'], /not an array/],
    ['a bad --allow-ip', ['--allow-ip', '10.0.0.0/33'], /allowedIps: "10\.0\.0\.0\/33"/],
    ['a wildcard not available', ['--scopes', 'billing:*'], /Unknown scope "billing:\*"/],
  ])('update refuses %s with one line and exit 1, and changes nothing', async (_, args, message) => {
    const { token } = await db.keysmith.tokens.create({ name: 'kept', scopes: ['read'] });
    const run = await keysmith('tokens', 'update', token.prefix, ...args);
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^keysmith: /)]);
    expect(run.stderr).toMatch(message);
    expect(await stored(token.prefix)).toMatchObject({ scopes: ['read'], metadata: null, allowedIps: null });
  });

  it.each(['-1h', '1.5h', 'soon', '366d'])('rotate refuses --grace %s with one line and exit 1, and keeps the secret', async (grace) => {
    const { token, rawToken } = await db.keysmith.tokens.create({ name: 'bad-grace' });
    const run = await keysmith('tokens', 'rotate', token.prefix, '--grace', grace);
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^keysmith: .*(--grace|graceSeconds)/)]);
    expect(run.stdout).toBe('');
    expect((await db.keysmith.tokens.authenticate(rawToken)).id).toBe(token.id);
  });

  it('enable refuses a revoked token with one line and exit 1', async () => {
    const { token } = await db.keysmith.tokens.create({ name: 'gone' });
    await db.keysmith.tokens.revoke(token.id);
    const run = await keysmith('tokens', 'enable', token.prefix);
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([`keysmith: Token ${token.prefix} is revoked and cannot be enabled.`]);
  });
});
