// The benchmark of nestjs-keysmith: `npm run bench` (builds first, then runs this file).
//
// Starts the sample app (sample/dist/main.js) on PostgreSQL in a child process per case and loads
// it with autocannon from this process, in interleaved rounds (every case gets one window per
// round). Measures, in one run:
//   1. bare endpoint, warm guarded endpoint (bcrypt, cache on), the same with a rate limit and a
//      quota on the token counted in Redis, guarded with sha256 and cache off,
//      guarded with bcrypt and cache off, and the reference: the usual NestJS approach to API keys
//      (@nestjs/passport with passport-headerapikey, a SHA-256 lookup through TypeORM, no writes)
//      on an opt-in route of the same sample app: req/s, p50/p99 latency, ratio to bare (overall
//      and the median of the rounds), and the server's CPU time per request (process.cpuUsage()
//      read by bench/probe.mjs, which this file preloads into the server) and its excess over bare;
//   2. SQL statements per 1,000 authenticated requests in the warm case (counted in the server's
//      pg driver by the probe);
//   3. cold-verify latency (sha256, cache off) with 1,000 and with 1,000,000 tokens in the table:
//      the median of sequential requests, each with a different token;
//   4. the event loop of each case's server: its longest stall, the longest that overlaps no
//      garbage collection, the longest that overlaps one, and the longest GC pause; during the
//      bcrypt cold-verify burst also the largest delay (apart: its first half second, while
//      autocannon opens its connections), and how much of it the main thread spent running and
//      how much waiting for a CPU;
//   5. what one cache expiry costs under load: the full verifications it sets off.
// A window during which other processes took over 10% of the CPUs is measured again.
// Prints a table and writes bench/results.json.
//
// Environment: KEYSMITH_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/keysmith_bench;
// that database and <name>_1m are dropped and created again), KEYSMITH_BENCH_REDIS_URL (the limited case's
// Redis, default redis://127.0.0.1:6379), BENCH_DURATION (seconds per case, default 20),
// BENCH_ROUNDS (windows per case, default 4), BENCH_CONNECTIONS (default 50),
// BENCH_KEEP_DB=1 (keep the databases afterwards),
// BENCH_CPU_PROFILE_DIR (write a .cpuprofile of each case's server: its last measured window; the
// profiler's own work then counts in the CPU per request),
// BENCH_CASES=bare,warm-bcrypt (run only these cases, print them, skip the rest and results.json).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { buildToken, parseToken } from '../dist/esm/token-format/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH_DIR = join(ROOT, 'bench');
const DATABASE_URL = process.env.KEYSMITH_BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/keysmith_bench';
const DURATION_S = Number(process.env.BENCH_DURATION || 20);
const WARMUP_S = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS || 4);
const WARM_TTL_S = 600;
const REDIS_URL = process.env.KEYSMITH_BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
/** A rate limit and a quota no run reaches (the quota column is a 32-bit integer). */
const UNREACHED_LIMIT = 2_000_000_000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 50);
const SCALE_SAMPLES = 1_000;
const SCALE_WARMUP = 300;
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
const OPENING_MS = 500;
const TARGETS = { warmRatio: 0.9, coldSha256Ratio: 0.45, statementsPer1000: 20, scaleRatio: 1.1, eventLoopMs: 20 };
/** The reference case: the usual NestJS approach to API keys, beside the package. */
const REFERENCE = 'reference-passport';

const log = (message) => process.stderr.write(`${message}\n`);

// ---------------------------------------------------------------------------------------------
// Database

const databaseName = new URL(DATABASE_URL).pathname.slice(1);
const databaseUrl = (name) => {
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
};
const adminUrl = databaseUrl('postgres');
// The scale run's second database, holding 1,000,000 tokens.
const LARGE_DATABASE_URL = databaseUrl(`${databaseName}_1m`);

async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function recreateDatabase(url) {
  const name = new URL(url).pathname.slice(1);
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  });
}

async function dropDatabases() {
  await withClient(adminUrl, async (client) => {
    for (const url of [DATABASE_URL, LARGE_DATABASE_URL]) {
      await client.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
    }
  });
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Inserts tokens `from`..`to` in one INSERT ... SELECT: prefixes `tok_<8 base62>` that look random
 * and never repeat (i multiplied, modulo 62^8, by numbers coprime with 62^8, written in base62),
 * all with the hash `key`, so each is a valid token with that hash's secret.
 */
async function insertBulkTokens(client, from, to, key) {
  const M = `${62n ** 8n}::bigint`;
  const digits = Array.from({ length: 8 }, (_, k) => `substr('${BASE62}', ((x / ${62n ** BigInt(7 - k)}::bigint) % 62)::int + 1, 1)`).join(
    ' || ',
  );
  await client.query(
    `INSERT INTO keysmith_token (id, name, description, token_type, user_id, created_by_id, scopes, key, prefix,
                                 created_at, expires_at, last_used_at, revoked, purged)
     SELECT gen_random_uuid(), 'bench-bulk', '', 'user', NULL, NULL, '["read"]', $1, 'tok_' || ${digits},
            now(), NULL, NULL, false, false
     FROM (SELECT (((i * 2654435761) % ${M}) * 40503) % ${M} AS x FROM generate_series($2::bigint, $3::bigint) AS i) AS n`,
    [key, from, to],
  );
}

/**
 * `count` tokens that share the secret and stored hash of `rawToken` under prefixes of their own:
 * one per connection for a cold case, since requests in flight with the same raw token share one
 * verification and a single token would measure that sharing instead of a verification each.
 */
async function tokensLike(rawToken, count) {
  const { prefix, secret } = parseToken(rawToken);
  return withClient(DATABASE_URL, async (client) => {
    const { rows } = await client.query('SELECT key FROM keysmith_token WHERE prefix = $1', [prefix]);
    const prefixes = Array.from({ length: count }, () => `tok_${Array.from(randomBytes(8), (byte) => BASE62[byte % 62]).join('')}`);
    await client.query(
      `INSERT INTO keysmith_token (id, name, description, token_type, user_id, created_by_id, scopes, key, prefix,
                                   created_at, expires_at, last_used_at, revoked, purged)
       SELECT gen_random_uuid(), 'bench-cold', '', 'user', NULL, NULL, '["read"]', $1, p, now(), NULL, NULL, false, false
       FROM unnest($2::text[]) AS p`,
      [rows[0].key, prefixes],
    );
    return prefixes.map((each) => buildToken(each, secret));
  });
}

/**
 * Gives a token a rate limit and a quota too large to be reached within the run, so that every
 * request of the limited case pays for both checks and none is refused.
 */
async function limitToken(rawToken) {
  await withClient(DATABASE_URL, (client) =>
    client.query(`UPDATE keysmith_token SET rate_limit = $1, quota_remaining = $2, quota_refilled_at = now() WHERE prefix = $3`, [
      JSON.stringify({ limit: UNREACHED_LIMIT, windowSeconds: 60 }),
      UNREACHED_LIMIT,
      rawToken.split(':')[0],
    ]),
  );
}

/** The reference's one API key, stored as the usual approach stores it: its SHA-256 in hex. */
async function insertReferenceKey(key) {
  await withClient(DATABASE_URL, (client) =>
    client.query(`INSERT INTO api_key (name, sha256) VALUES ('bench', $1)`, [createHash('sha256').update(key).digest('hex')]),
  );
}

// ---------------------------------------------------------------------------------------------
// A quiet machine: the figures mean little while something else uses the two cores.

const QUIET_BUSY_SHARE = 0.15;
const QUIET_MAX_WAIT_S = 60;
const busyNotes = [];

function cpuTicks() {
  let idle = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

const CLOCK_TICKS_PER_S = 100; // USER_HZ of /proc/<pid>/stat on Linux

/** CPU milliseconds (user + system) a process has used so far, from /proc; 0 where there is none. */
function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** CPU milliseconds used so far by each PostgreSQL process (`postgres` in /proc/<pid>/stat), by pid. */
function postgresCpuByPid() {
  const byPid = new Map();
  let pids;
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return byPid;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/stat`, 'utf8').includes(' (postgres) ')) byPid.set(pid, processCpuMs(pid));
    } catch {
      // gone meanwhile
    }
  }
  return byPid;
}

/** CPU milliseconds PostgreSQL used between two `postgresCpuByPid()` (processes that ended are left out). */
function postgresCpuDelta(before, after) {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/**
 * Measures, around `work`, the shares of the machine's CPU time used by PostgreSQL and by
 * anything else that is neither the server(s), nor this process, nor PostgreSQL: other load on a
 * shared machine, which makes the figures of that window worth less.
 */
async function withForeignLoad(serverPids, work) {
  const serversCpuMs = () => [serverPids].flat().reduce((sum, pid) => sum + processCpuMs(pid), 0);
  const ticks0 = cpuTicks();
  const server0 = serversCpuMs();
  const postgres0 = postgresCpuByPid();
  const self0 = process.cpuUsage();
  const result = await work();
  const ticks1 = cpuTicks();
  const totalMs = Math.max(1, ticks1.total - ticks0.total);
  const busyMs = totalMs - (ticks1.idle - ticks0.idle);
  const selfUsage = process.cpuUsage(self0);
  const postgresMs = postgresCpuDelta(postgres0, postgresCpuByPid());
  const ownMs = serversCpuMs() - server0 + (selfUsage.user + selfUsage.system) / 1000;
  return { result, postgresCpuShare: postgresMs / totalMs, otherCpuShare: Math.max(0, busyMs - ownMs - postgresMs) / totalMs };
}

/** Runs `measure` again (up to MAX_ATTEMPTS in all) while other load took over OTHER_LOAD_LIMIT of the CPUs. */
async function undisturbed(label, measure) {
  for (let attempt = 1; ; attempt++) {
    const measured = await measure();
    if (measured.otherCpuShare <= OTHER_LOAD_LIMIT) return measured;
    const note = `${label}: other processes used ${Math.round(measured.otherCpuShare * 100)}% of the CPUs during the measurement`;
    if (attempt === MAX_ATTEMPTS) {
      busyNotes.push(`${note}; kept after ${MAX_ATTEMPTS} attempts`);
      log(`  ! ${note}; kept after ${MAX_ATTEMPTS} attempts`);
      return measured;
    }
    log(`  ! ${note}: measuring again`);
    await waitForQuiet(label);
  }
}
const OTHER_LOAD_LIMIT = 0.1;
const MAX_ATTEMPTS = 3;

/** Waits (up to QUIET_MAX_WAIT_S) until the CPUs are at least 85% idle over one second. */
async function waitForQuiet(label) {
  const started = Date.now();
  for (;;) {
    const before = cpuTicks();
    await sleep(1_000);
    const after = cpuTicks();
    const busy = 1 - (after.idle - before.idle) / Math.max(1, after.total - before.total);
    if (busy <= QUIET_BUSY_SHARE) return;
    const waited = (Date.now() - started) / 1000;
    if (waited >= QUIET_MAX_WAIT_S) {
      const note = `${label}: the CPUs were still ${Math.round(busy * 100)}% busy after ${QUIET_MAX_WAIT_S} s of waiting; measured anyway`;
      busyNotes.push(note);
      log(`  ! ${note}`);
      return;
    }
    if (waited < 1.5) log(`  waiting for a quiet machine (CPUs ${Math.round(busy * 100)}% busy)…`);
  }
}

// ---------------------------------------------------------------------------------------------
// The sample server

async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

function sampleEnv(extra) {
  return { ...process.env, DATABASE_URL, NODE_ENV: 'production', ...extra };
}

/** Runs `node sample/dist/create-token.js` and returns the raw token it prints. */
async function createToken(hasher) {
  const child = spawn(process.execPath, [join(ROOT, 'sample/dist/create-token.js')], {
    cwd: ROOT,
    env: sampleEnv({ KEYSMITH_HASHER: hasher }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const [code] = await once(child, 'exit');
  const rawToken = output.match(/\btok_[0-9A-Za-z]{8}:[0-9A-Za-z]+\b/)?.[0];
  if (code !== 0 || !rawToken) throw new Error(`create-token (${hasher}) failed:\n${output}`);
  return rawToken;
}

/** Starts sample/dist/main.js with the probe preloaded and waits until it answers. */
async function startServer(name, env) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', join(BENCH_DIR, 'probe.mjs'), join(ROOT, 'sample/dist/main.js')], {
    cwd: ROOT,
    env: sampleEnv({
      PORT: String(port),
      ...env,
      ...(PROFILE_DIR ? { BENCH_CPU_PROFILE: join(PROFILE_DIR, `${name}.cpuprofile`) } : {}),
    }),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let exited = false;
  child.once('exit', () => (exited = true));

  const pending = new Map();
  let nextId = 0;
  child.on('message', (message) => {
    pending.get(message?.id)?.(message);
    pending.delete(message?.id);
  });
  const ask = (cmd, options = {}) =>
    new Promise((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      child.send({ ...options, cmd, id });
    });

  const baseUrl = `http://127.0.0.1:${port}`;
  for (const started = Date.now(); ;) {
    if (exited) throw new Error(`The sample server (${name}) exited during startup:\n${output}`);
    if (Date.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`The sample server (${name}) did not answer within 30 s:\n${output}`);
    }
    const status = await get(`${baseUrl}/api/ping`).catch(() => 0);
    if (status === 200) break;
    await sleep(100);
  }

  return {
    baseUrl,
    pid: child.pid,
    output: () => output,
    /** Starts a measurement window: statement counter and event-loop histogram from zero. */
    reset: (options) => ask('reset', options),
    /** Statements and event-loop delay since the last reset. */
    read: () => ask('read'),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await once(child, 'exit').catch(() => {});
      clearTimeout(timer);
    },
  };
}

function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      })
      .on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Load

/**
 * Loads `c.url` for `duration` seconds. A case with `tokens` gives each connection a token of its
 * own, so that no two requests in flight carry the same raw token.
 */
function cannon(c, duration, skipAggregateResult = false) {
  let next = 0;
  const setupClient = c.tokens && ((client) => client.setHeaders({ 'x-keysmith-token': c.tokens[next++ % c.tokens.length] }));
  return autocannon({
    url: c.url,
    headers: c.headers,
    setupClient,
    connections: CONNECTIONS,
    pipelining: 1,
    duration,
    timeout: 30,
    skipAggregateResult,
  });
}

/** Waits until a process has used under 5% of a CPU over 300 ms (the requests it still had are done). */
async function waitUntilIdle(pid) {
  for (let i = 0; i < 100; i++) {
    const before = processCpuMs(pid);
    await sleep(300);
    if (processCpuMs(pid) - before < 15) return;
  }
}

/**
 * Measures the load cases in interleaved rounds: every case has its own sample server, all of
 * them run from the start, and each round gives every case one window of DURATION_S / ROUNDS
 * seconds (in the reverse order every other round). A slow moment of the machine then touches
 * every case alike, and a ratio to bare no longer compares windows taken minutes apart.
 */
async function loadCases(definitions) {
  await withClient(DATABASE_URL, (client) => client.query('TRUNCATE keysmith_token_audit_log'));
  const windowS = DURATION_S / ROUNDS;
  const cases = [];
  try {
    for (const definition of definitions) {
      const { name, path, headers, env } = definition;
      log(
        `▸ ${name}: starting the sample (${
          Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ') || 'defaults'
        })`,
      );
      const server = await startServer(name, env);
      const url = `${server.baseUrl}${path}`;
      cases.push({ ...definition, server, url, windows: [], probes: [], otherCpuShares: [], postgresCpuShares: [] });
      await definition.prepare?.();
      if ((await get(url, headers)) !== 200) throw new Error(`${name}: GET ${path} did not answer 200`);
    }
    const pids = cases.map((c) => c.server.pid);
    for (const c of cases) {
      await waitForQuiet(c.name);
      log(`▸ ${c.name}: warm-up ${WARMUP_S} s at -c ${CONNECTIONS}`);
      await cannon(c, WARMUP_S);
      await waitUntilIdle(c.server.pid);
    }
    await sleep(1_500); // the warm-ups' buffered audit rows and lastUsedAt reach the database

    for (let round = 1; round <= ROUNDS; round++) {
      await waitForQuiet(`round ${round}`);
      for (const c of round % 2 === 1 ? cases : [...cases].reverse()) {
        const window = await undisturbed(`${c.name}, round ${round}`, async () => {
          // The event loop is measured while the load lasts, not while the load generator closes its
          // connections (with a queue of cold verifications, that is 50 aborted requests at once).
          // The first half second, when autocannon opens its connections and 50 requests arrive at
          // once, is reported apart: that burst holds the loop whatever the route does.
          await c.server.reset({ schedstat: c.schedstat, loadMs: windowS * 1000 - 100, settleMs: OPENING_MS });
          const measured = await withForeignLoad(pids, () => cannon(c, windowS, true));
          // Requests still in flight when the window closed finish, and their audit rows are flushed
          // (at least once a second): they are this case's work, not the next case's.
          await waitUntilIdle(c.server.pid);
          await sleep(1_100);
          return { ...measured, probe: await c.server.read() };
        });
        const { result } = window;
        const bad = result.non2xx + result.errors + result.timeouts;
        if (bad > 0) throw new Error(`${c.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
        c.windows.push(result);
        c.probes.push(window.probe);
        c.otherCpuShares.push(window.otherCpuShare);
        c.postgresCpuShares.push(window.postgresCpuShare);
        log(
          `  ${c.name}, round ${round}/${ROUNDS}: ${Math.round(result.totalCompletedRequests / result.samples)} req/s; CPU share of PostgreSQL ${Math.round(window.postgresCpuShare * 100)}%, of other processes ${Math.round(window.otherCpuShare * 100)}%`,
        );
      }
    }
  } finally {
    for (const c of cases) await c.server.stop();
  }

  return cases.map((c) => {
    const requests = c.windows.reduce((sum, w) => sum + w.totalCompletedRequests, 0);
    const seconds = c.windows.reduce((sum, w) => sum + w.samples, 0);
    const { latency } = autocannon.aggregateResult(c.windows, { url: c.url, connections: CONNECTIONS, pipelining: 1 });
    const byStatement = {};
    for (const probe of c.probes)
      for (const [kind, n] of Object.entries(probe.byStatement)) byStatement[kind] = (byStatement[kind] ?? 0) + n;
    const schedulings = c.probes.map((probe) => probe.scheduling).filter(Boolean);
    const worst = schedulings.sort((a, b) => b.maxGapMs - a.maxGapMs)[0];
    const cpuUs = c.probes.reduce((sum, probe) => sum + probe.cpu.us, 0);
    const serverRequests = c.probes.reduce((sum, probe) => sum + probe.cpu.requests, 0);
    const longestOfWindows = (figure) => round(Math.max(...c.probes.map((probe) => probe.stalls[figure])), 1);
    const measured = {
      name: c.name,
      rps: Math.round(requests / seconds),
      p50_ms: latency.p50,
      p99_ms: latency.p99,
      requests,
      event_loop_max_ms: round(Math.max(...c.probes.map((probe) => probe.eventLoop.maxMs)), 1),
      event_loop_p99_ms: round(Math.max(...c.probes.map((probe) => probe.eventLoop.p99Ms)), 1),
      event_loop_opening_max_ms: round(Math.max(...c.probes.map((probe) => probe.opening?.maxMs ?? 0)), 1),
      statements: c.probes.reduce((sum, probe) => sum + probe.statements, 0),
      byStatement: Object.fromEntries(Object.entries(byStatement).sort((a, b) => b[1] - a[1])),
      // Every request the server received in the windows (those autocannon gave up on at the end of
      // a window included), and all the CPU time they took.
      server_requests: serverRequests,
      cpu_us_per_request: Math.round(cpuUs / serverRequests),
      cpu_us_by_round: c.probes.map((probe) => Math.round(probe.cpu.us / probe.cpu.requests)),
      stalls: {
        max_ms: longestOfWindows('maxMs'),
        without_gc_max_ms: longestOfWindows('withoutGcMaxMs'),
        with_gc_max_ms: longestOfWindows('withGcMaxMs'),
        gc_pause_max_ms: longestOfWindows('gcPauseMaxMs'),
        gc_pauses: c.probes.reduce((sum, probe) => sum + probe.stalls.gcPauses, 0),
        gc_ms_per_1000_requests: round((c.probes.reduce((sum, probe) => sum + probe.stalls.gcTotalMs, 0) / serverRequests) * 1000, 1),
      },
      other_cpu_share: round(Math.max(...c.otherCpuShares), 2),
      postgres_cpu_share: round(c.postgresCpuShares.reduce((a, b) => a + b, 0) / c.postgresCpuShares.length, 2),
      rps_by_round: c.windows.map((w) => Math.round(w.totalCompletedRequests / w.samples)),
      ...(worst ? { scheduling: { ...worst, maxRunningMs: Math.max(...schedulings.map((x) => x.maxRunningMs)) } } : {}),
    };
    log(
      `  ${c.name}: ${measured.rps} req/s (rounds ${measured.rps_by_round.join(', ')}), p50 ${measured.p50_ms} ms, p99 ${measured.p99_ms} ms, ${measured.statements} SQL statements for ${requests} requests, event loop max ${measured.event_loop_max_ms} ms (p99 ${measured.event_loop_p99_ms}; ${measured.event_loop_opening_max_ms} ms while the connections opened)`,
    );
    log(
      `    server CPU ${measured.cpu_us_per_request} µs per request (rounds ${measured.cpu_us_by_round.join(', ')}; ${serverRequests} requests received); longest stall ${measured.stalls.without_gc_max_ms} ms without garbage collection, ${measured.stalls.with_gc_max_ms} ms with; longest GC pause ${measured.stalls.gc_pause_max_ms} ms`,
    );
    if (measured.scheduling) {
      const { maxGapMs, maxGapRunningMs, maxGapWaitingMs, maxRunningMs, maxGapGcMs } = measured.scheduling;
      log(
        `    longest gap between two 1 ms ticks ${maxGapMs.toFixed(1)} ms: main thread running ${maxGapRunningMs.toFixed(1)} ms, waiting for a CPU ${maxGapWaitingMs.toFixed(1)} ms, garbage collection ${maxGapGcMs.toFixed(1)} ms; longest run without a tick ${maxRunningMs.toFixed(1)} ms`,
      );
    }
    return measured;
  });
}

/**
 * What one expiry of a cached token costs under load: the token is verified once, its entry is
 * left to expire (TTL 2 s) with no traffic, then CONNECTIONS requests arrive at once, one per
 * connection. Counts the full verifications that follow (a token lookup, then a bcrypt, each):
 * 1 when concurrent misses share one verification, up to CONNECTIONS when each does its own.
 */
async function cacheExpiryBurst(token) {
  const ttlS = 2;
  log(`▸ cache expiry: bcrypt, cacheTtlSeconds ${ttlS}, ${CONNECTIONS} simultaneous requests on an entry that just expired`);
  const server = await startServer('cache-expiry', { KEYSMITH_HASHER: 'bcrypt', KEYSMITH_CACHE_TTL_SECONDS: String(ttlS) });
  try {
    const url = `${server.baseUrl}/api/health`;
    const headers = { 'x-keysmith-token': token };
    if ((await get(url, headers)) !== 200) throw new Error('cache expiry: GET /api/health did not answer 200');
    await sleep((ttlS + 1) * 1000);
    await server.reset();
    const result = await autocannon({ url, headers, connections: CONNECTIONS, amount: CONNECTIONS, timeout: 30 });
    await waitUntilIdle(server.pid);
    await sleep(1_100);
    const probe = await server.read();
    const measured = {
      ttl_s: ttlS,
      connections: CONNECTIONS,
      full_verifications: probe.byStatement['SELECT keysmith_token'] ?? 0,
      latency_max_ms: result.latency.max,
      event_loop_max_ms: round(probe.eventLoop.maxMs, 1),
    };
    log(
      `  ${measured.full_verifications} full verifications for one expiry; slowest response ${measured.latency_max_ms} ms; event loop max ${measured.event_loop_max_ms} ms`,
    );
    return measured;
  } finally {
    await server.stop();
  }
}

/** Latencies (ms) of `count` sequential keep-alive requests to `/api/health`, cycling through `tokens`. */
async function sequentialLatencies(agent, baseUrl, tokens, count, offset = 0) {
  const request = (token) =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      http
        .get(`${baseUrl}/api/health`, { agent, headers: { 'x-keysmith-token': token } }, (response) => {
          response.resume();
          response.on('end', () => {
            if (response.statusCode !== 200) reject(new Error(`GET /api/health answered ${response.statusCode}`));
            else resolve(Number(process.hrtime.bigint() - started) / 1e6);
          });
        })
        .on('error', reject);
    });
  const times = [];
  for (let i = 0; i < count; i++) times.push(await request(tokens[(offset + i) % tokens.length]));
  return times;
}

const percentile = (sorted, share) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))];

/** Raw tokens of `count` random bulk rows (they all share the secret of `template`). */
async function randomBulkTokens(client, template, count) {
  const { secret } = parseToken(template);
  const { rows } = await client.query(`SELECT prefix FROM keysmith_token WHERE name = 'bench-bulk' ORDER BY random() LIMIT $1`, [count]);
  return rows.map((row) => buildToken(row.prefix, secret));
}

/**
 * Cold verify (sha256, cache off) against 1,000 and against 1,000,000 tokens: two databases, two
 * sample servers, and sequential requests sent to one and the other in alternating rounds, so
 * that both sizes see the same machine at the same moments.
 */
async function scaleRun(sha256Token) {
  log('▸ scale: cold verify (sha256, cache off), sequential requests, a different token each time');
  const key = await withClient(DATABASE_URL, async (client) => {
    const { rows } = await client.query('SELECT key FROM keysmith_token WHERE prefix = $1', [parseToken(sha256Token).prefix]);
    await client.query('TRUNCATE keysmith_token, keysmith_token_audit_log');
    await insertBulkTokens(client, 1, 1_000, rows[0].key);
    await client.query('VACUUM ANALYZE keysmith_token');
    return rows[0].key;
  });

  const env = { KEYSMITH_HASHER: 'sha256', KEYSMITH_CACHE_TTL_SECONDS: '0' };
  const servers = [];
  try {
    // The second server creates the tables of the second database (synchronize) as it starts.
    await recreateDatabase(LARGE_DATABASE_URL);
    servers.push(await startServer('scale-1m', { ...env, DATABASE_URL: LARGE_DATABASE_URL }));
    const started = Date.now();
    await withClient(LARGE_DATABASE_URL, async (client) => {
      await insertBulkTokens(client, 1, 1_000_000, key);
      await client.query('VACUUM ANALYZE keysmith_token');
      await client.query('CHECKPOINT');
    });
    log(`  inserted 1,000,000 tokens in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    servers.unshift(await startServer('scale-1k', env));

    const sizes = [
      { label: '1k', server: servers[0], url: DATABASE_URL },
      { label: '1m', server: servers[1], url: LARGE_DATABASE_URL },
    ];
    for (const size of sizes) {
      await withClient(size.url, async (client) => {
        size.tokens = await randomBulkTokens(client, sha256Token, SCALE_SAMPLES);
        size.count = (await client.query('SELECT count(*)::int AS count FROM keysmith_token')).rows[0].count;
      });
      size.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      await sequentialLatencies(size.agent, size.server.baseUrl, size.tokens, SCALE_WARMUP);
    }

    await waitForQuiet('scale');
    const rounds = 10;
    const perRound = SCALE_SAMPLES / rounds;
    const { result: times, otherCpuShare } = await undisturbed('scale', () =>
      withForeignLoad(
        servers.map((server) => server.pid),
        async () => {
          const collected = { '1k': [], '1m': [] };
          for (let round = 0; round < rounds; round++) {
            // Alternate which size goes first, so neither always follows the other.
            for (const size of round % 2 === 0 ? sizes : [...sizes].reverse()) {
              collected[size.label].push(
                ...(await sequentialLatencies(size.agent, size.server.baseUrl, size.tokens, perRound, round * perRound)),
              );
            }
          }
          return collected;
        },
      ),
    );
    const result = { otherCpuShare };
    for (const size of sizes) {
      size.agent.destroy();
      const sorted = times[size.label].sort((a, b) => a - b);
      result[size.label] = { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), count: size.count };
      log(
        `  ${size.count.toLocaleString('en')} tokens: p50 ${result[size.label].p50.toFixed(3)} ms, p90 ${result[size.label].p90.toFixed(3)} ms over ${sorted.length} requests with ${size.tokens.length} distinct tokens`,
      );
    }

    // The lookup the service runs (TypeORM findOne by prefix): the plan PostgreSQL picks for it.
    result.lookupPlan = await withClient(LARGE_DATABASE_URL, async (client) => {
      const { rows } = await client.query('EXPLAIN (FORMAT JSON) SELECT * FROM keysmith_token WHERE prefix = $1 LIMIT 1', [
        parseToken(sizes[1].tokens[0]).prefix,
      ]);
      const plan = rows[0]['QUERY PLAN'][0].Plan;
      const scan = plan.Plans?.[0] ?? plan;
      return `${scan['Node Type']}${scan['Index Name'] ? ` using ${scan['Index Name']}` : ''}`;
    });
    log(`  lookup plan at 1,000,000 tokens: ${result.lookupPlan}`);
    return result;
  } finally {
    for (const server of servers) await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function machine() {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length}, ${round(os.totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}, ${os.type()} ${os.release()}`;
}

const signed = (value) => (value > 0 ? `+${value}` : String(value));

function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

/** A target as results.json states it: what is measured, the bound, the figure, whether it holds. */
function target(measure, comparison, bound, value) {
  return { measure, target: `${comparison} ${bound}`, value, met: comparison === '>=' ? value >= bound : value <= bound };
}

const verdict = (ok) => (ok ? 'met' : 'NOT met');

async function main() {
  const began = Date.now();
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  log(`nestjs-keysmith bench: ${machine()}`);
  log(`database ${DATABASE_URL} (dropped and created again)`);
  await recreateDatabase(DATABASE_URL);
  const postgresVersion = await withClient(
    DATABASE_URL,
    async (client) => (await client.query('SHOW server_version')).rows[0].server_version,
  );

  // The first run creates the tables (synchronize) and the sample user.
  const bcryptToken = await createToken('bcrypt');
  const sha256Token = await createToken('sha256');
  log(`tokens: ${bcryptToken.slice(0, 12)}… (bcrypt), ${sha256Token.slice(0, 12)}… (sha256)`);
  const referenceKey = randomBytes(32).toString('base64url');
  const limitedToken = await createToken('bcrypt');
  await limitToken(limitedToken);

  const keysmithToken = (token) => ({ 'x-keysmith-token': token });
  const cacheOff = { KEYSMITH_CACHE_TTL_SECONDS: '0' };
  const definitions = [
    { name: 'bare', path: '/api/ping', headers: {}, env: {} },
    // A TTL longer than the run keeps every window warm; what an expiry costs is measured apart.
    {
      name: 'warm-bcrypt',
      path: '/api/health',
      headers: keysmithToken(bcryptToken),
      env: { KEYSMITH_HASHER: 'bcrypt', KEYSMITH_CACHE_TTL_SECONDS: String(WARM_TTL_S) },
    },
    // The warm case with a rate limit and a quota on the token, counted in Redis (one script each per request).
    {
      name: 'warm-limited',
      path: '/api/health',
      headers: keysmithToken(limitedToken),
      env: { KEYSMITH_HASHER: 'bcrypt', KEYSMITH_CACHE_TTL_SECONDS: String(WARM_TTL_S), KEYSMITH_REDIS: REDIS_URL },
    },
    {
      name: 'cold-sha256',
      path: '/api/health',
      headers: keysmithToken(sha256Token),
      tokens: await tokensLike(sha256Token, CONNECTIONS),
      env: { KEYSMITH_HASHER: 'sha256', ...cacheOff },
    },
    // The usual NestJS approach, served by the same sample app (so the bare case is its bare route too).
    {
      name: REFERENCE,
      path: '/api/reference/health',
      headers: { 'x-api-key': referenceKey },
      env: { SAMPLE_BENCH_REFERENCE: '1' },
      // Its server has just created the api_key table.
      prepare: () => insertReferenceKey(referenceKey),
    },
    {
      name: 'cold-bcrypt',
      path: '/api/health',
      headers: keysmithToken(bcryptToken),
      tokens: await tokensLike(bcryptToken, CONNECTIONS),
      env: { KEYSMITH_HASHER: 'bcrypt', ...cacheOff },
      schedstat: true,
    },
  ];
  const only = process.env.BENCH_CASES?.split(',');
  const measured = await loadCases(definitions.filter((definition) => !only || only.includes(definition.name)));
  if (only) {
    // A partial run (for profiling, say): printed, not written to results.json.
    if (!process.env.BENCH_KEEP_DB) await dropDatabases();
    for (const c of measured) console.log(JSON.stringify(c));
    return;
  }

  const bare = measured.find((c) => c.name === 'bare');
  const ratioByRound = (c) => c.rps_by_round.map((rps, index) => round(rps / bare.rps_by_round[index], 3));
  const cases = measured.map((c) => ({
    name: c.name,
    rps: c.rps,
    p50_ms: c.p50_ms,
    p99_ms: c.p99_ms,
    ratio_to_bare: round(c.rps / bare.rps, 3),
    ratio_to_bare_median_of_rounds: round(median(ratioByRound(c)), 3),
    cpu_us_per_request: c.cpu_us_per_request,
    cpu_us_over_bare: c.cpu_us_per_request - bare.cpu_us_per_request,
  }));
  const row = (name) => cases.find((c) => c.name === name);
  const warm = measured.find((c) => c.name === 'warm-bcrypt');
  const coldBcrypt = measured.find((c) => c.name === 'cold-bcrypt');
  const statementsPer1000 = round((warm.statements / warm.server_requests) * 1000, 1);

  const cacheExpiry = await cacheExpiryBurst(bcryptToken);
  const scale = await scaleRun(sha256Token);
  const scaleRatio = scale['1m'].p50 / scale['1k'].p50;
  if (!process.env.BENCH_KEEP_DB) await dropDatabases();

  /** One side of the comparison with the reference. */
  const side = (name, description) => {
    const { rps, ratio_to_bare, ratio_to_bare_median_of_rounds, cpu_us_per_request, cpu_us_over_bare } = row(name);
    const c = measured.find((x) => x.name === name);
    return {
      case: name,
      description,
      rps,
      ratio_to_bare,
      ratio_to_bare_median_of_rounds,
      cpu_us_per_request,
      cpu_us_over_bare,
      sql_statements_per_request: round(c.statements / c.server_requests, 3),
    };
  };
  const comparison = {
    reference: side(
      REFERENCE,
      "the usual NestJS approach: @nestjs/passport AuthGuard('headerapikey') with passport-headerapikey, the key's SHA-256 (hex) looked up through TypeORM in api_key (unique index), no writes",
    ),
    package: side('cold-sha256', 'cold sha256 GET (cache off, audit on)'),
  };

  const results = {
    machine: machine(),
    date: new Date().toISOString(),
    postgres: postgresVersion,
    settings: {
      connections: CONNECTIONS,
      duration_s: DURATION_S,
      rounds: ROUNDS,
      warmup_s: WARMUP_S,
      pipelining: 1,
      http: 'NestJS Express',
    },
    targets: {
      warm_ratio: target(
        'warm-bcrypt req/s over bare req/s, median of the rounds',
        '>=',
        TARGETS.warmRatio,
        row('warm-bcrypt').ratio_to_bare_median_of_rounds,
      ),
      cold_sha256_ratio: target(
        'cold-sha256 req/s over bare req/s, median of the rounds',
        '>=',
        TARGETS.coldSha256Ratio,
        row('cold-sha256').ratio_to_bare_median_of_rounds,
      ),
      db_statements_per_1000: target('SQL statements per 1,000 warm-bcrypt requests', '<=', TARGETS.statementsPer1000, statementsPer1000),
      scale_ratio: target('cold verify p50 with 1,000,000 tokens over that with 1,000', '<=', TARGETS.scaleRatio, round(scaleRatio, 3)),
      event_loop_cold_bcrypt_max_ms: target(
        'event-loop max delay during the cold-bcrypt load, ms',
        '<=',
        TARGETS.eventLoopMs,
        coldBcrypt.event_loop_max_ms,
      ),
    },
    cases,
    // The same ratio within each round, where the two windows were minutes closer: how much of the
    // spread is the machine's.
    warm_ratio_by_round: ratioByRound(warm),
    // Server CPU time per request (process.cpuUsage(), user + system, all threads, over each window,
    // divided by the requests the server received in it) less the bare route's: what the guard adds.
    cpu_us_over_bare: Object.fromEntries(cases.filter((c) => c !== row('bare')).map((c) => [c.name, c.cpu_us_over_bare])),
    reference_comparison: comparison,
    // What a rate limit and a quota kept in Redis cost beside the warm case.
    limits_comparison: {
      warm: side('warm-bcrypt', 'warm bcrypt GET (cache on, audit on), no limit'),
      limited: side('warm-limited', 'the same with a rate limit and a quota on the token, counted in Redis'),
      limited_over_warm: round(row('warm-limited').rps / row('warm-bcrypt').rps, 3),
    },
    // The longest event-loop stalls of each case (a 1 ms timer's delay, once the connections are
    // open): overall, overlapping no garbage collection, overlapping one; and the longest GC pause.
    event_loop_stalls: Object.fromEntries(measured.map((c) => [c.name, c.stalls])),
    db_statements_per_1000: statementsPer1000,
    db_statements_breakdown: {
      requests: warm.server_requests,
      statements: warm.statements,
      by_statement: warm.byStatement,
    },
    scale: {
      tokens_1k_ms: round(scale['1k'].p50, 3),
      tokens_1m_ms: round(scale['1m'].p50, 3),
      ratio: round(scaleRatio, 3),
      p90_1k_ms: round(scale['1k'].p90, 3),
      p90_1m_ms: round(scale['1m'].p90, 3),
      hasher: 'sha256',
      cache: 'off',
      sequential_requests_each: SCALE_SAMPLES,
      lookup_plan: scale.lookupPlan,
      other_cpu_share: round(scale.otherCpuShare, 2),
    },
    cache_expiry: cacheExpiry,
    event_loop_max_ms: coldBcrypt.event_loop_max_ms,
    event_loop_cold_bcrypt: {
      max_ms: coldBcrypt.event_loop_max_ms,
      p99_ms: coldBcrypt.event_loop_p99_ms,
      opening_max_ms: coldBcrypt.event_loop_opening_max_ms,
      ...(coldBcrypt.scheduling
        ? {
            longest_gap_ms: round(coldBcrypt.scheduling.maxGapMs, 1),
            longest_gap_running_ms: round(coldBcrypt.scheduling.maxGapRunningMs, 1),
            longest_gap_waiting_for_cpu_ms: round(coldBcrypt.scheduling.maxGapWaitingMs, 1),
            longest_gap_gc_ms: round(coldBcrypt.scheduling.maxGapGcMs, 1),
            longest_run_ms: round(coldBcrypt.scheduling.maxRunningMs, 1),
          }
        : {}),
    },
    case_details: Object.fromEntries(
      measured.map((c) => [
        c.name,
        {
          requests: c.requests,
          server_requests: c.server_requests,
          rps_by_round: c.rps_by_round,
          ratio_to_bare_by_round: ratioByRound(c),
          cpu_us_by_round: c.cpu_us_by_round,
          event_loop_max_ms: c.event_loop_max_ms,
          event_loop_p99_ms: c.event_loop_p99_ms,
          event_loop_opening_max_ms: c.event_loop_opening_max_ms,
          sql_statements: c.statements,
          postgres_cpu_share: c.postgres_cpu_share,
          other_cpu_share: c.other_cpu_share,
        },
      ]),
    ),
    ...(busyNotes.length > 0 ? { notes: busyNotes } : {}),
  };
  const tmp = join(BENCH_DIR, 'results.tmp.json');
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, join(BENCH_DIR, 'results.json'));

  console.log(`\nnestjs-keysmith benchmark — ${results.machine}, PostgreSQL ${postgresVersion}`);
  console.log(
    `autocannon -c ${CONNECTIONS}, ${DURATION_S} s per case in ${ROUNDS} interleaved rounds, after a ${WARMUP_S} s warm-up; one sample process per case\n`,
  );
  printTable(
    ['case', 'req/s', 'p50 ms', 'p99 ms', 'ratio to bare', 'median of rounds', 'CPU µs/req', 'over bare'],
    cases.map((c) => [
      c.name,
      c.rps.toLocaleString('en'),
      String(c.p50_ms),
      String(c.p99_ms),
      c.ratio_to_bare.toFixed(3),
      c.ratio_to_bare_median_of_rounds.toFixed(3),
      c.cpu_us_per_request.toLocaleString('en'),
      c === row('bare') ? '' : signed(c.cpu_us_over_bare),
    ]),
  );
  console.log(
    '(CPU µs/req: the server process, user + system, all threads, per request it received; steadier than req/s on a shared machine)\n',
  );
  for (const {
    description,
    rps,
    ratio_to_bare,
    ratio_to_bare_median_of_rounds,
    cpu_us_per_request,
    cpu_us_over_bare,
    sql_statements_per_request,
  } of [comparison.reference, comparison.package]) {
    console.log(
      `${description}:\n  ${rps.toLocaleString('en')} req/s, ${ratio_to_bare.toFixed(3)} of bare (median of rounds ${ratio_to_bare_median_of_rounds.toFixed(3)}); CPU ${cpu_us_per_request} µs per request (${signed(cpu_us_over_bare)} over bare); SQL statements per request: ${sql_statements_per_request}`,
    );
  }
  console.log('\nEvent-loop stalls (ms, once the connections are open):');
  printTable(
    ['case', 'longest', 'without GC', 'with GC', 'longest GC pause'],
    Object.entries(results.event_loop_stalls).map(([name, stalls]) => [
      name,
      String(stalls.max_ms),
      String(stalls.without_gc_max_ms),
      String(stalls.with_gc_max_ms),
      String(stalls.gc_pause_max_ms),
    ]),
  );
  console.log('');
  const breakdown =
    Object.entries(warm.byStatement)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ') || 'none';
  console.log(
    `DB statements per 1,000 authenticated requests (warm-bcrypt, one token): ${statementsPer1000}  (${warm.statements} for ${warm.server_requests.toLocaleString('en')} requests: ${breakdown})`,
  );
  console.log(
    `Cold verify (sha256, cache off), p50 of ${SCALE_SAMPLES} sequential requests: ${results.scale.tokens_1k_ms} ms with 1,000 tokens, ${results.scale.tokens_1m_ms} ms with 1,000,000 (ratio ${results.scale.ratio})`,
  );
  console.log(
    `Cache expiry under load (bcrypt, -c ${CONNECTIONS}): ${cacheExpiry.full_verifications} full verifications for one expired entry (1 would be ideal); slowest response ${cacheExpiry.latency_max_ms} ms`,
  );
  const loop = results.event_loop_cold_bcrypt;
  console.log(
    `Event-loop max delay during the bcrypt cold-verify burst: ${loop.max_ms} ms (p99 ${loop.p99_ms} ms), after its first ${OPENING_MS} ms; ${loop.opening_max_ms} ms in those, while ${CONNECTIONS} connections opened with a request each`,
  );
  if (loop.longest_gap_ms !== undefined) {
    console.log(
      `  longest gap ${loop.longest_gap_ms} ms = main thread running ${loop.longest_gap_running_ms} ms (garbage collection ${loop.longest_gap_gc_ms} ms) + waiting for a CPU ${loop.longest_gap_waiting_for_cpu_ms} ms; longest run without returning to the loop ${loop.longest_run_ms} ms`,
    );
  }
  console.log('\nTargets:');
  for (const { measure, target: bound, value, met } of Object.values(results.targets)) {
    console.log(`  ${measure}: ${value} (target ${bound}) — ${verdict(met)}`);
  }
  console.log(`  warm ratio by round: ${results.warm_ratio_by_round.join(', ')}`);
  for (const note of busyNotes) console.log(`  Warning: ${note}.`);
  console.log(`\nWrote bench/results.json (${((Date.now() - began) / 1000).toFixed(0)} s).`);
}

main().catch((error) => {
  console.error(`bench failed: ${error?.stack ?? error}`);
  process.exitCode = 1;
});
