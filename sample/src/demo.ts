import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuditLogService, ExpiryWarningScanner, TokenService, type TokenAuditLog } from 'nestjs-keysmith';
import { AppModule } from './app.module.js';
import { databaseOptions, describeDatabase } from './database.options.js';
import { UserSeeder } from './users/user-seeder.js';

/**
 * The token lifecycle end to end: starts the sample on a fresh SQLite file and a free port, then
 * creates, uses, rotates, revokes and purges a token over real HTTP, and prints its audit log.
 * Exits 1 when any step does not answer as it should.
 */

let failures = 0;

/** Prints one step: ✔ when it went as it should, ✘ (and a failing exit code) when not. */
function step(ok: boolean, label: string, outcome: string): void {
  if (!ok) failures++;
  console.log(`${ok ? '✔' : '✘'} ${label} → ${outcome}`);
}

interface Call {
  method: 'GET' | 'POST';
  path: string;
  token?: string;
  body?: unknown;
}

/** Calls the app over HTTP and checks the status. */
async function expectStatus(baseUrl: string, call: Call, expected: number, label: string): Promise<void> {
  const headers: Record<string, string> = {};
  if (call.token) headers['X-KEYSMITH-TOKEN'] = call.token;
  if (call.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${baseUrl}${call.path}`, {
    method: call.method,
    headers,
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  });
  const body = await response.text();
  const outcome = `${response.status} ${body}${response.status === expected ? '' : `   (expected ${expected})`}`;
  step(response.status === expected, `${call.method} ${call.path} ${label}`, outcome);
}

/** A raw token as it may appear on screen: prefix and the start of the secret. */
const DAY_MS = 24 * 60 * 60 * 1000;

const shortened = (rawToken: string): string => `${rawToken.slice(0, rawToken.indexOf(':') + 7)}…`;

/** What each audit row of the demo's token should say, oldest first: action, status, error code. */
const EXPECTED_AUDIT = [
  'created - -',
  'auth_success 200 -',
  'auth_success 200 -',
  'auth_failed 403 insufficient_scope',
  'rotated - -',
  'auth_failed 401 invalid_token',
  'auth_success 200 -',
  'revoked - -',
  'auth_failed 401 revoked_token',
  'revoked - -',
  'auth_failed 401 revoked_token',
];

const auditSummary = (row: TokenAuditLog): string =>
  `${row.action} ${row.statusCode ?? '-'} ${(row.extra?.error_code as string | undefined) ?? '-'}`;

/** What a lifecycle row (no request) records: the actor, and whether a revoke was a purge. */
function lifecycleNote(row: TokenAuditLog): string {
  const notes = [row.extra?.actor_id !== undefined && `actor ${row.extra.actor_id}`, row.extra?.purge && 'purge'];
  return notes.filter(Boolean).join(', ') || '-';
}

function printAuditRows(rows: TokenAuditLog[]): void {
  console.log(`  ${'action'.padEnd(13)} ${'status'.padEnd(6)} ${'error code'.padEnd(18)} request or details`);
  for (const row of rows) {
    const errorCode = (row.extra?.error_code as string | undefined) ?? '-';
    const request = row.path ? `${row.method} ${row.path}` : lifecycleNote(row);
    console.log(`  ${row.action.padEnd(13)} ${String(row.statusCode ?? '-').padEnd(6)} ${errorCode.padEnd(18)} ${request}`);
  }
}

async function demo(app: INestApplication, baseUrl: string): Promise<void> {
  const tokens = app.get(TokenService);
  const auditLog = app.get(AuditLogService);
  const user = await app.get(UserSeeder).sampleUser();

  const { token, rawToken } = await tokens.create({ name: 'demo', user });
  step(
    rawToken.startsWith(`${token.prefix}:`),
    `create token for ${user.username}`,
    `${token.prefix}, scopes [${token.scopes.join(', ')}], raw token (shown once) ${shortened(rawToken)}`,
  );

  const health = { method: 'GET', path: '/api/health' } as const;
  await expectStatus(baseUrl, { ...health, token: rawToken }, 200, 'with token');
  await expectStatus(baseUrl, health, 401, 'without token');
  await expectStatus(baseUrl, { method: 'GET', path: '/api/me', token: rawToken }, 200, 'with token');
  const note = { method: 'POST', path: '/api/notes', body: { text: 'hello' } } as const;
  await expectStatus(baseUrl, { ...note, token: rawToken }, 403, 'with a read-only token');

  const writer = await tokens.create({ name: 'demo-writer', user, scopes: ['read', 'write'] });
  await expectStatus(baseUrl, { ...note, token: writer.rawToken }, 201, `with a read+write token (${writer.token.prefix})`);

  const rotated = await tokens.rotate(token, { actor: user });
  step(
    rotated !== rawToken && rotated.startsWith(`${token.prefix}:`),
    `rotate ${token.prefix}`,
    `same prefix, new secret ${shortened(rotated)}`,
  );
  await expectStatus(baseUrl, { ...health, token: rawToken }, 401, 'with the old token');
  await expectStatus(baseUrl, { ...health, token: rotated }, 200, 'with the new token');

  const revoked = await tokens.revoke(token, { actor: user });
  step(revoked.revoked, `revoke ${token.prefix}`, `revoked=${revoked.revoked}`);
  await expectStatus(baseUrl, { ...health, token: rotated }, 401, 'with the revoked token');

  await tokens.purge(token, { actor: user });
  const purged = await tokens.findById(token.id);
  step(
    purged?.purged === true && purged.revoked,
    `purge ${token.prefix}`,
    `purged=${purged?.purged}, revoked=${purged?.revoked} (a soft delete: the row and its audit log stay)`,
  );
  await expectStatus(baseUrl, { ...health, token: rotated }, 401, 'with the purged token');

  const soon = await tokens.create({ name: 'demo-expiring', user, expiresAt: new Date(Date.now() + 2 * DAY_MS) });
  // The scan the app runs every hour, run now (whichever scan sends the warning, it is sent once).
  await app.get(ExpiryWarningScanner).scan();
  const [warning] = await auditLog.list({ tokenId: soon.token.id, action: 'expiry_warning' });
  step(
    warning?.extra.days_before === 7,
    `expiry scan with ${soon.token.prefix} expiring in 2 days`,
    `keysmith.token.expiring (${String(warning?.extra.days_before)} days before), logged by KeysmithNotifications, audited expiry_warning`,
  );

  await auditLog.flush();
  const rows = (await auditLog.list({ tokenId: token.id })).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  console.log(`\nAudit log of ${token.prefix}, oldest first (table keysmith_token_audit_log):`);
  printAuditRows(rows);
  const actual = rows.map(auditSummary);
  const matches = actual.length === EXPECTED_AUDIT.length && actual.every((row, i) => row === EXPECTED_AUDIT[i]);
  step(matches, 'audit log', matches ? `${rows.length} rows, one per step` : `expected:\n  ${EXPECTED_AUDIT.join('\n  ')}`);

  const anonymous = (await auditLog.list({ action: 'auth_failed' })).filter((row) => row.tokenId === null);
  console.log('\nAudit rows without a token (the request that sent none):');
  printAuditRows(anonymous);
}

async function main(): Promise<void> {
  // A fresh file on every run, so a rerun starts clean; kept afterwards for a look inside.
  process.env.SAMPLE_SQLITE_PATH = join(mkdtempSync(join(tmpdir(), 'keysmith-demo-')), 'keysmith-demo.sqlite');
  delete process.env.DATABASE_URL;

  const app = await NestFactory.create<INestApplication<Server>>(AppModule, { logger: ['error', 'warn'], rawBody: true });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  console.log(`nestjs-keysmith demo: sample app on ${baseUrl}`);
  console.log(`Data: ${describeDatabase(databaseOptions())} (tables keysmith_token, keysmith_token_audit_log, sample_user)\n`);

  try {
    await demo(app, baseUrl);
  } finally {
    await app.close();
  }
  console.log(failures === 0 ? '\nEvery step answered as expected.' : `\n${failures} step(s) did not answer as expected.`);
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(`✘ demo stopped: ${(error as Error)?.stack ?? String(error)}`);
  process.exitCode = 1;
});
