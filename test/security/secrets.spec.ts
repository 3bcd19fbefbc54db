import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuditLog } from '../../lib/index.js';
import { databaseVariants, startTestApp, variantName, type TestApp } from '../support/test-app.js';
import { GuardedApiController, HandlerScopesController } from '../e2e/fixtures/guard-controllers.js';
import { call, secretOf, type Reply } from '../e2e/fixtures/guard-http.js';
import { AdminTokensController } from './fixtures/admin-controller.js';
import { dumpDatabase } from './fixtures/database-dump.js';
import { withChecksum } from './fixtures/header-values.js';

/** Every secret the run handed out or sent, and everything the app said or threw. */
interface Exposure {
  secrets: Set<string>;
  bodies: string[];
  errors: string[];
}

/** The fields of `AdminTokensController`'s answers read here (`rotate` answers `rawToken` only). */
interface AdminAnswer {
  id: string;
  prefix: string;
  rawToken: string;
}

function leaked(text: string, secrets: Set<string>): string[] {
  return [...secrets].filter((secret) => text.includes(secret)).map((secret) => `${secret.slice(0, 4)}…`);
}

async function thrownBy(work: Promise<unknown>): Promise<Error> {
  const thrown = await work.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(thrown instanceof Error)) throw new Error('expected the call to throw');
  return thrown;
}

async function renameTables(app: TestApp, from: string, to: string): Promise<void> {
  for (const table of ['keysmith_token', 'keysmith_token_audit_log']) {
    await app.dataSource.query(`ALTER TABLE ${table}${from} RENAME TO ${table}${to}`);
  }
}

/**
 * Creates, rotates, revokes, purges and authenticates tokens over HTTP and through the service,
 * with valid, wrong, expired, revoked and malformed tokens, in the header and in the query, and
 * once while the tables are gone, so that the database, the log and the errors have every chance
 * to receive a secret.
 */
async function exercise(app: TestApp): Promise<Exposure> {
  const exposure: Exposure = { secrets: new Set(), bodies: [], errors: [] };
  const issued = (rawToken: string) => {
    exposure.secrets.add(secretOf(rawToken));
    return rawToken;
  };
  const send = async (path: string, token?: string): Promise<Reply> => {
    if (token !== undefined) exposure.secrets.add(secretOf(token));
    const reply = await call(app, path, token === undefined ? {} : { token });
    exposure.bodies.push(reply.text);
    return reply;
  };
  const admin = async (path: string, body?: unknown) => {
    const response = await fetch(`${app.url}/admin/tokens${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    const text = await response.text();
    if (!response.ok) exposure.bodies.push(text);
    return { status: response.status, body: JSON.parse(text) as AdminAnswer };
  };
  const fails = async (work: Promise<unknown>) => {
    const error = await thrownBy(work);
    exposure.errors.push(`${error.message}\n${JSON.stringify(error)}\n${error.stack}`);
  };

  const first = await admin('', { name: 'over-http', scopes: ['read'] });
  const overHttp = { id: first.body.id, rawToken: issued(first.body.rawToken) };
  const second = await admin('', { name: 'to-revoke' });
  const toRevoke = { id: second.body.id, rawToken: issued(second.body.rawToken) };
  const inService = await app.tokens.create({ name: 'in-service', createdBy: 'ops', scopes: ['read', 'write'] });
  issued(inService.rawToken);
  const expired = await app.tokens.create({ name: 'expired', expiresAt: new Date(Date.now() - 60_000) });
  issued(expired.rawToken);
  const neverUsed = await app.tokens.create({ name: 'never-used' });
  issued(neverUsed.rawToken);
  const prefix = first.body.prefix;

  expect((await send('/api/health', overHttp.rawToken)).status).toBe(200);
  expect((await send(`/api/health?keysmith_token=${encodeURIComponent(overHttp.rawToken)}&page=2`)).status).toBe(200);
  expect((await send('/handler-scopes/write', overHttp.rawToken)).status).toBe(403);
  for (const secret of ['WrongWrongWrongWrongWrongWrong01', 'WrongWrongWrongWrongWrongWrong02', 'WrongWrongWrongWrongWrongWrong03']) {
    expect((await send('/api/health', withChecksum(`${prefix}:${secret}`))).status).toBe(401);
  }
  expect((await send('/api/health', `${overHttp.rawToken.slice(0, -1)}${overHttp.rawToken.endsWith('7') ? '8' : '7'}`)).status).toBe(401);
  expect((await send('/api/health', withChecksum('tok_Unknown9:UnknownUnknownUnknownUnknownUnkn9'))).status).toBe(401);
  expect((await send('/api/health', expired.rawToken)).status).toBe(401);

  const rotatedOverHttp = issued((await admin(`/${overHttp.id}/rotate`)).body.rawToken);
  expect((await send('/api/health', overHttp.rawToken)).status).toBe(401);
  expect((await send('/api/health', rotatedOverHttp)).status).toBe(200);
  const rotatedInService = issued(await app.tokens.rotate(inService.token, { actor: 'ops' }));
  await app.tokens.authenticate(rotatedInService);
  expect((await admin(`/${toRevoke.id}/revoke`)).status).toBe(200);
  expect((await send('/api/health', toRevoke.rawToken)).status).toBe(401);
  expect((await admin(`/${inService.token.prefix}/purge`)).status).toBe(200);
  expect((await send('/api/health', rotatedInService)).status).toBe(401);

  await fails(app.tokens.authenticate(overHttp.rawToken));
  await fails(app.tokens.authenticate(expired.rawToken));
  await fails(app.tokens.authenticate(toRevoke.rawToken));
  await fails(app.tokens.authenticate(rotatedInService));
  await fails(app.tokens.rotate(toRevoke.id));
  await fails(app.tokens.rotate(rotatedOverHttp));
  await fails(app.tokens.revoke(neverUsed.rawToken));
  expect((await admin(`/${encodeURIComponent(rotatedOverHttp)}/revoke`)).status).toBe(404);

  await app.auditLog.flush();
  await renameTables(app, '', '_away');
  try {
    expect((await send('/api/health', neverUsed.rawToken)).status).toBe(503);
    expect((await send('/api/health', rotatedOverHttp)).status).toBe(200);
    await app.auditLog.flush();
    await app.tokens.flushLastUsed();
  } finally {
    await renameTables(app, '_away', '');
  }
  expect(app.logs.filter((entry) => entry.level === 'error').length).toBeGreaterThanOrEqual(2);
  return exposure;
}

describe.each(databaseVariants())('secrets on $database', (variant) => {
  let app: TestApp;
  let exposure: Exposure;
  beforeAll(async () => {
    app = await startTestApp({
      suite: 'security-secrets',
      variant,
      controllers: [GuardedApiController, HandlerScopesController, AdminTokensController],
      keysmith: { allowQueryParam: true, failedAttemptsLimit: 0, availableScopes: ['read', 'write'] },
    });
    exposure = await exercise(app);
    await app.auditLog.flush();
  });
  afterAll(() => app?.close());

  it(`stores no raw token and no secret in any row of any table (${variantName(variant)})`, async () => {
    const dump = await dumpDatabase(app.dataSource);
    expect(dump.tables).toEqual(expect.arrayContaining(['keysmith_token', 'keysmith_token_audit_log']));
    expect(dump.rows).toBeGreaterThan(20);
    expect(exposure.secrets.size).toBe(11);
    expect(leaked(dump.text, exposure.secrets)).toEqual([]);
  });

  it('keeps them out of the audit extra, which names the prefix at most', async () => {
    const extras = (await app.dataSource.getRepository(TokenAuditLog).find()).map((row) => JSON.stringify(row.extra));
    expect(extras.some((extra) => extra.includes('wrong_secret'))).toBe(true);
    expect(leaked(extras.join('\n'), exposure.secrets)).toEqual([]);
  });

  it('keeps them out of the application log, also when the database fails', () => {
    const log = app.logs.map((entry) => entry.message).join('\n');
    expect(log).toMatch(/Token authentication could not complete/);
    expect(log).toMatch(/Could not write audit rows/);
    expect(leaked(log, exposure.secrets)).toEqual([]);
  });

  it('keeps them out of every exception and every error body', () => {
    expect(exposure.errors).toHaveLength(7);
    expect(exposure.errors.filter((error) => leaked(error, exposure.secrets).length > 0).map((error) => error.split('\n')[0])).toEqual([]);
    expect(exposure.bodies.filter((body) => /"statusCode":(401|403|404|503)/.test(body)).length).toBeGreaterThan(10);
    expect(leaked(exposure.bodies.join('\n'), exposure.secrets)).toEqual([]);
  });
});

describe('constant-time comparisons (source)', () => {
  /** The text of a function or method of a lib/ file, from its signature to its closing brace. */
  function sourceOf(path: string, signature: string): string {
    const text = readFileSync(new URL(`../../lib/${path}`, import.meta.url), 'utf8');
    const start = text.indexOf(signature);
    expect(start, `${signature} in lib/${path}`).toBeGreaterThanOrEqual(0);
    const indent = /[ ]*$/.exec(text.slice(0, start))![0];
    return text.slice(start, text.indexOf(`\n${indent}}\n`, start) + indent.length + 2);
  }
  const EQUALITY_ON_SECRETS =
    /\.equals\(|\b(stored|expected|hash|checksum|actual|given|secret)\s*!?==?=?\s*(stored|expected|hash|checksum|actual|given|secret)\b/;

  it('compares checksums with timingSafeEqual, before any database work', () => {
    const checksum = sourceOf('token-format/checksum.ts', 'export function checksumMatches(');
    expect(checksum).toMatch(/timingSafeEqual\(given, expected\)/);
    expect(checksum).not.toMatch(EQUALITY_ON_SECRETS);
    expect(sourceOf('token-format/token-format.ts', 'export function parseToken(')).toMatch(/if \(!checksumMatches\(/);
  });

  it('verifies secrets with timingSafeEqual (sha256, pbkdf2_sha512) or bcrypt.compare, and compares them nowhere else', () => {
    const verifiers = {
      sha256: sourceOf('hashing/sha256.hasher.ts', 'verify(secret'),
      pbkdf2: sourceOf('hashing/pbkdf2-sha512.hasher.ts', 'async verify('),
      bcrypt: sourceOf('hashing/bcrypt.hasher.ts', 'verify('),
    };
    expect(verifiers.sha256).toMatch(/timingSafeEqual\(stored, expected\)/);
    expect(verifiers.pbkdf2).toMatch(/timingSafeEqual\(actual, stored\)/);
    expect(verifiers.bcrypt).toMatch(/bcrypt\.compare\(secret, hash\)/);
    for (const verifier of Object.values(verifiers)) expect(verifier).not.toMatch(EQUALITY_ON_SECRETS);
    // The whole authenticator: its verification is split into steps (current secret, previous one, decoy).
    const verify = readFileSync(new URL('../../lib/auth/token-authenticator.ts', import.meta.url), 'utf8');
    expect(verify).toMatch(/hashers\.verify\(secret, token\.key\)/);
    expect(verify).toMatch(/hashers\.verifyDecoy\(secret\)/);
    for (const step of [verify, sourceOf('auth/token-authenticator.ts', 'async authenticate(')]) {
      expect(step).not.toMatch(EQUALITY_ON_SECRETS);
      expect(step).not.toMatch(/\.key\s*===|===\s*\w+\.key\b/);
    }
  });
});
