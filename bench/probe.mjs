// Preloaded into the sample server by bench/run.mjs (`node --import ./bench/probe.mjs ...`), never
// by the sample itself. Over the IPC channel the bench opens, it answers:
//   { cmd: 'reset' }          clears the counters below and starts a measurement window; with
//                             loadMs, the event-loop figures are those of its first loadMs only
//                             (the load, not the moment the load generator closes its connections);
//                             with settleMs, those of the first settleMs (the load generator opening
//                             its connections, each with a request) come apart as `opening`
//   { cmd: 'read', id }       replies { id, statements, byStatement, eventLoop }
// - statements: every SQL statement the `pg` driver sent since the reset (counted in
//   pg.Client.prototype.query, which TypeORM's pool clients go through), by kind and table;
// - eventLoop: perf_hooks.monitorEventLoopDelay (1 ms resolution) since the reset, in ms.
// - with { cmd: 'reset', schedstat: true }, also where the largest delay went: a 1 ms timer reads
//   the main thread's /proc schedstat (time on a CPU, time runnable but waiting for one) on every
//   tick, so a late tick tells a loop busy running code (a stall) from a thread the OS did not run;
//   and how much of each late tick's gap V8's garbage collector took (perf_hooks 'gc' entries).
// With BENCH_CPU_PROFILE (a file path), the window between reset and read is CPU-profiled too.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Session } from 'node:inspector';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';

if (typeof process.send === 'function') {
  const require = createRequire(import.meta.url);
  const pg = require('pg');

  let statements = 0;
  let byStatement = new Map();
  const originalQuery = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(config, ...rest) {
    statements++;
    const text = typeof config === 'string' ? config : config?.text;
    const kind = describe(text);
    byStatement.set(kind, (byStatement.get(kind) ?? 0) + 1);
    return originalQuery.call(this, config, ...rest);
  };

  const eventLoop = monitorEventLoopDelay({ resolution: 1 });
  eventLoop.enable();

  const profileFile = process.env.BENCH_CPU_PROFILE;
  let session;
  const post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));

  const scheduling = schedulingMonitor();
  let loadEnd;
  let settled;
  let loopFigures;
  let openingFigures;
  const readLoop = () => ({
    ticks: scheduling.stop(),
    loop: { maxMs: eventLoop.max / 1e6, p99Ms: eventLoop.percentile(99) / 1e6, meanMs: eventLoop.mean / 1e6 },
  });

  process.on('message', async (message) => {
    if (message?.cmd === 'reset') {
      statements = 0;
      byStatement = new Map();
      eventLoop.reset();
      scheduling.stop();
      clearTimeout(loadEnd);
      clearTimeout(settled);
      loopFigures = undefined;
      openingFigures = undefined;
      if (message.schedstat) scheduling.start();
      if (message.loadMs) loadEnd = setTimeout(() => (loopFigures = readLoop()), message.loadMs).unref();
      if (message.settleMs) {
        settled = setTimeout(() => {
          openingFigures = readLoop();
          eventLoop.reset();
          if (message.schedstat) scheduling.start();
        }, message.settleMs).unref();
      }
      if (profileFile) {
        session = new Session();
        session.connect();
        await post('Profiler.enable');
        await post('Profiler.setSamplingInterval', { interval: 100 });
        await post('Profiler.start');
      }
      process.send({ id: message.id });
    } else if (message?.cmd === 'read') {
      if (profileFile && session) {
        const { profile } = await post('Profiler.stop');
        writeFileSync(profileFile, JSON.stringify(profile));
        session.disconnect();
        session = undefined;
      }
      const { ticks, loop } = loopFigures ?? readLoop();
      process.send({
        id: message.id,
        ...(ticks ? { scheduling: ticks } : {}),
        ...(openingFigures ? { opening: { ...openingFigures.loop, scheduling: openingFigures.ticks } } : {}),
        statements,
        byStatement: Object.fromEntries([...byStatement].sort((a, b) => b[1] - a[1])),
        eventLoop: loop,
      });
    }
  });
  // The channel must not keep the server alive once it shuts down.
  process.channel?.unref();
}

/**
 * A 1 ms timer that, between two ticks, measures the wall time, the main thread's time on a CPU
 * and its time waiting for one (Linux /proc/<pid>/task/<pid>/schedstat, in ns). Reports the
 * longest gap and how it split, the longest time on a CPU between two ticks (the longest the loop
 * ran without getting back to its timers), the garbage collection inside the longest gap, and the
 * longest gap once its garbage collection is taken out: what the application's own code held.
 */
function schedulingMonitor() {
  const file = `/proc/${process.pid}/task/${process.pid}/schedstat`;
  const read = () => readFileSync(file, 'utf8').split(' ').map(Number);
  const LATE_MS = 3;
  let timer;
  let stats;
  let lateGaps;
  let collections;
  const gcObserver = new PerformanceObserver((list) => collections?.push(...list.getEntries()));
  const tick = (lastWall, lastSched) => {
    const wall = performance.now();
    const sched = read();
    const gapMs = wall - lastWall;
    const runningMs = (sched[0] - lastSched[0]) / 1e6;
    const waitingMs = (sched[1] - lastSched[1]) / 1e6;
    if (gapMs > stats.maxGapMs) Object.assign(stats, { maxGapMs: gapMs, maxGapRunningMs: runningMs, maxGapWaitingMs: waitingMs });
    if (gapMs > LATE_MS) lateGaps.push({ start: lastWall, end: wall });
    stats.maxRunningMs = Math.max(stats.maxRunningMs, runningMs);
    stats.ticks++;
    timer = setTimeout(tick, 1, wall, sched);
  };
  /** Milliseconds of garbage collection within a gap. */
  const collectedDuring = ({ start, end }) =>
    collections.reduce((sum, gc) => sum + Math.max(0, Math.min(end, gc.startTime + gc.duration) - Math.max(start, gc.startTime)), 0);
  return {
    start() {
      try {
        stats = { ticks: 0, maxGapMs: 0, maxGapRunningMs: 0, maxGapWaitingMs: 0, maxRunningMs: 0 };
        lateGaps = [];
        collections = [];
        gcObserver.observe({ entryTypes: ['gc'] });
        timer = setTimeout(tick, 1, performance.now(), read());
      } catch {
        stats = undefined; // no /proc: not Linux
      }
    },
    stop() {
      clearTimeout(timer);
      gcObserver.disconnect();
      const result = stats;
      if (result) {
        const longest = lateGaps.reduce((a, b) => (b.end - b.start > a.end - a.start ? b : a), { start: 0, end: 0 });
        result.maxGapGcMs = collectedDuring(longest);
        result.maxGapOutsideGcMs = Math.max(0, ...lateGaps.map((gap) => gap.end - gap.start - collectedDuring(gap)));
      }
      stats = undefined;
      return result;
    },
  };
}

/** "SELECT sample_user", "INSERT keysmith_token_audit_log", "BEGIN", ... */
function describe(text) {
  if (typeof text !== 'string') return 'other';
  const sql = text.trim();
  const verb = (sql.match(/^\w+/)?.[0] ?? 'other').toUpperCase();
  const table = sql.match(/\b(?:FROM|INTO|UPDATE)\s+"?([\w.]+)"?/i)?.[1];
  return table ? `${verb} ${table}` : verb;
}
