// How much one audit row costs on PostgreSQL: `node bench/audit-row-size.mjs` (after `npm run build`).
//
// Creates the keysmith tables with KEYSMITH_MIGRATIONS in a database of its own, writes ROWS audit
// rows as the guard writes them for requests (an `auth_success` row per request with a path, the
// method, the status, a client address and a user agent; every tenth an `auth_failed` row with its
// error code), then VACUUM ANALYZEs the table and reads pg_total_relation_size (the table, its
// TOAST and its four indexes). Prints the bytes per row for a short user agent (curl, an SDK) and a
// browser's, and what a million requests a day adds over 90 days.
//
// Environment: KEYSMITH_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/keysmith_audit_size;
// the database is dropped and created again), ROWS (default 100000).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { KEYSMITH_ENTITIES, KEYSMITH_MIGRATIONS, TokenAuditLog } from '../dist/esm/typeorm.js';

const url = new URL(process.env.KEYSMITH_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/keysmith_audit_size');
const rows = Number(process.env.ROWS ?? 100_000);
const database = url.pathname.slice(1);
const AGENTS = {
  short: 'python-requests/2.32.3',
  browser: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
};

async function recreateDatabase() {
  const admin = new pg.Client({ connectionString: new URL('/postgres', url).toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${database}"`);
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();
}

function row(i, userAgent, tokenIds) {
  const failed = i % 10 === 0;
  return Object.assign(new TokenAuditLog(), {
    id: randomUUID(),
    tokenId: tokenIds[i % tokenIds.length],
    action: failed ? 'auth_failed' : 'auth_success',
    path: `/api/orders/${100_000 + (i % 50_000)}`,
    method: i % 4 === 0 ? 'POST' : 'GET',
    statusCode: failed ? 401 : 200,
    ipAddress: `203.0.113.${i % 250}`,
    userAgent,
    extra: failed ? { error_code: 'invalid_token', reason: 'wrong_secret' } : {},
    createdAt: new Date(Date.now() - (rows - i) * 100),
  });
}

const results = {};
for (const [name, userAgent] of Object.entries(AGENTS)) {
  await recreateDatabase();
  const dataSource = await new DataSource({
    type: 'postgres',
    url: url.toString(),
    entities: KEYSMITH_ENTITIES,
    migrations: KEYSMITH_MIGRATIONS,
  }).initialize();
  await dataSource.runMigrations();
  const tokenIds = Array.from({ length: 200 }, () => randomUUID());
  const repository = dataSource.getRepository(TokenAuditLog);
  for (let start = 0; start < rows; start += 1_000) {
    await repository.insert(Array.from({ length: Math.min(1_000, rows - start) }, (_, i) => row(start + i, userAgent, tokenIds)));
  }
  await dataSource.query('VACUUM ANALYZE keysmith_token_audit_log');
  const [{ total, heap }] = await dataSource.query(
    "SELECT pg_total_relation_size('keysmith_token_audit_log') AS total, pg_relation_size('keysmith_token_audit_log') AS heap",
  );
  results[name] = { userAgent, rows, bytesPerRow: Math.round(Number(total) / rows), heapBytesPerRow: Math.round(Number(heap) / rows) };
  await dataSource.destroy();
}

const GiB = 1024 ** 3;
for (const [name, { userAgent, bytesPerRow, heapBytesPerRow }] of Object.entries(results)) {
  const perDay = (bytesPerRow * 1_000_000) / GiB;
  console.log(
    `${name} user agent (${userAgent.length} characters): ${bytesPerRow} bytes per row with its indexes (${heapBytesPerRow} in the table itself); ` +
      `a million audited requests a day: ${perDay.toFixed(2)} GiB a day, ${(perDay * 90).toFixed(0)} GiB over 90 days`,
  );
}
