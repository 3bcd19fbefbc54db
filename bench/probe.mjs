// Preloaded into the sample server by bench/run.mjs (`node --import ./bench/probe.mjs ...`), never
// by the sample itself. Over the IPC channel the bench opens, it answers:
//   { cmd: 'reset' }          clears the counters below and starts a measurement window; with
//                             loadMs, the event-loop figures are those of its first loadMs only
//                             (the load, not the moment the load generator closes its connections);
//                             with settleMs, those of the first settleMs (the load generator opening
//                             its connections, each with a request) come apart as `opening`
//   { cmd: 'read', id }       replies { id, statements, byStatement, cpu, eventLoop, stalls }
// - statements: every SQL statement the `pg` driver sent since the reset (counted in
//   pg.Client.prototype.query, which TypeORM's pool clients go through), by kind and table;
// - cpu: the process's CPU time (process.cpuUsage(), all its threads: user + system) since the
//   reset, in µs, and the HTTP requests the server received meanwhile (diagnostics channel
//   `http.server.request.start`). The bench reads after the server has finished every request it
//   received, so the CPU time is all theirs, those the load generator gave up on included;
// - eventLoop: perf_hooks.monitorEventLoopDelay (1 ms resolution) since the reset, in ms;
// - stalls: a 1 ms timer's ticks and V8's garbage collections (perf_hooks 'gc' entries), in ms:
//   the longest delay of a tick (its gap less the 1 ms it waits for), the longest one that overlaps
//   no garbage collection (what the application's code held), the longest one that overlaps one,
//   and the longest garbage-collection pause;
// - with { cmd: 'reset', schedstat: true }, also where the largest delay went: every tick reads
//   the main thread's /proc schedstat (time on a CPU, time runnable but waiting for one), so a late
//   tick tells a loop busy running code (a stall) from a thread the OS did not run.
// With BENCH_CPU_PROFILE (a file path), the window between reset and read is CPU-profiled too.
import { subscribe } from 'node:diagnostics_channel';
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

  let requests = 0;
  subscribe('http.server.request.start', () => requests++);
  let cpuSince = process.cpuUsage();

  const eventLoop = monitorEventLoopDelay({ resolution: 1 });
  eventLoop.enable();

  const profileFile = process.env.BENCH_CPU_PROFILE;
  let session;
  const post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));

  const ticks = tickMonitor();
  let loadEnd;
  let settled;
  let loopFigures;
  let openingFigures;
  const readLoop = () => ({
    ...ticks.stop(),
    loop: { maxMs: eventLoop.max / 1e6, p99Ms: eventLoop.percentile(99) / 1e6, meanMs: eventLoop.mean / 1e6 },
  });

  process.on('message', async (message) => {
    if (message?.cmd === 'reset') {
      statements = 0;
      byStatement = new Map();
      requests = 0;
      cpuSince = process.cpuUsage();
      eventLoop.reset();
      ticks.stop();
      clearTimeout(loadEnd);
      clearTimeout(settled);
      loopFigures = undefined;
      openingFigures = undefined;
      ticks.start({ schedstat: message.schedstat });
      if (message.loadMs) loadEnd = setTimeout(() => (loopFigures = readLoop()), message.loadMs).unref();
      if (message.settleMs) {
        settled = setTimeout(() => {
          openingFigures = readLoop();
          eventLoop.reset();
          ticks.start({ schedstat: message.schedstat });
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
      const cpu = process.cpuUsage(cpuSince);
      if (profileFile && session) {
        const { profile } = await post('Profiler.stop');
        writeFileSync(profileFile, JSON.stringify(profile));
        session.disconnect();
        session = undefined;
      }
      const { stalls, scheduling, loop } = loopFigures ?? readLoop();
      process.send({
        id: message.id,
        ...(scheduling ? { scheduling } : {}),
        ...(openingFigures ? { opening: { ...openingFigures.loop, scheduling: openingFigures.scheduling } } : {}),
        statements,
        byStatement: Object.fromEntries([...byStatement].sort((a, b) => b[1] - a[1])),
        cpu: { us: cpu.user + cpu.system, requests },
        eventLoop: loop,
        stalls,
      });
    }
  });
  // The channel must not keep the server alive once it shuts down.
  process.channel?.unref();
}

/**
 * A 1 ms timer whose late ticks, set against V8's garbage collections (perf_hooks 'gc' entries),
 * tell the stalls of the application's code from garbage-collection pauses. With `schedstat`,
 * each tick also reads the main thread's time on a CPU and its time waiting for one (Linux
 * /proc/<pid>/task/<pid>/schedstat, in ns) and the longest gap is split into the two, with the
 * garbage collection inside it, and the longest time on a CPU between two ticks (the longest the
 * loop ran without getting back to its timers) is kept.
 */
function tickMonitor() {
  const file = `/proc/${process.pid}/task/${process.pid}/schedstat`;
  const readSchedstat = () => readFileSync(file, 'utf8').split(' ').map(Number);
  const TICK_MS = 1;
  const LATE_MS = 1; // a tick this much late or more is a stall worth setting against the collections
  let timer;
  let running = false;
  let withSchedstat;
  let longestGap;
  let scheduling;
  let lateGaps;
  let collections;
  const gcObserver = new PerformanceObserver((list) => collections.push(...list.getEntries()));
  const tick = (lastWall, lastSched) => {
    const wall = performance.now();
    const gapMs = wall - lastWall;
    let sched;
    if (withSchedstat) {
      sched = readSchedstat();
      const runningMs = (sched[0] - lastSched[0]) / 1e6;
      if (gapMs > longestGap.end - longestGap.start) {
        Object.assign(scheduling, { maxGapMs: gapMs, maxGapRunningMs: runningMs, maxGapWaitingMs: (sched[1] - lastSched[1]) / 1e6 });
      }
      scheduling.maxRunningMs = Math.max(scheduling.maxRunningMs, runningMs);
    }
    if (gapMs > longestGap.end - longestGap.start) longestGap = { start: lastWall, end: wall };
    if (gapMs - TICK_MS >= LATE_MS) lateGaps.push({ start: lastWall, end: wall });
    timer = setTimeout(tick, TICK_MS, wall, sched);
  };
  /** Milliseconds of garbage collection within a gap. */
  const collectedDuring = ({ start, end }) =>
    collections.reduce((sum, gc) => sum + Math.max(0, Math.min(end, gc.startTime + gc.duration) - Math.max(start, gc.startTime)), 0);
  return {
    start({ schedstat = false } = {}) {
      withSchedstat = schedstat;
      longestGap = { start: 0, end: 0 };
      lateGaps = [];
      collections = [];
      scheduling = { maxGapMs: 0, maxGapRunningMs: 0, maxGapWaitingMs: 0, maxRunningMs: 0 };
      let sched;
      try {
        if (withSchedstat) sched = readSchedstat();
      } catch {
        withSchedstat = false; // no /proc: not Linux
      }
      gcObserver.observe({ entryTypes: ['gc'] });
      running = true;
      timer = setTimeout(tick, TICK_MS, performance.now(), sched);
    },
    /** The figures since start(), or nothing when it was not started. */
    stop() {
      if (!running) return {};
      running = false;
      clearTimeout(timer);
      collections.push(...gcObserver.takeRecords());
      gcObserver.disconnect();
      collections.sort((a, b) => a.startTime - b.startTime);
      let withoutGcMs = 0;
      let withGcMs = 0;
      // Gaps and collections in time order: one pass finds the collections each gap overlaps.
      let first = 0;
      for (const gap of lateGaps) {
        while (first < collections.length && collections[first].startTime + collections[first].duration <= gap.start) first++;
        const overlapsGc = first < collections.length && collections[first].startTime < gap.end;
        const stallMs = gap.end - gap.start - TICK_MS;
        if (overlapsGc) withGcMs = Math.max(withGcMs, stallMs);
        else withoutGcMs = Math.max(withoutGcMs, stallMs);
      }
      return {
        stalls: {
          maxMs: Math.max(0, longestGap.end - longestGap.start - TICK_MS),
          withoutGcMaxMs: withoutGcMs,
          withGcMaxMs: withGcMs,
          gcPauseMaxMs: Math.max(0, ...collections.map((gc) => gc.duration)),
          gcPauses: collections.length,
          gcTotalMs: collections.reduce((sum, gc) => sum + gc.duration, 0),
        },
        ...(withSchedstat ? { scheduling: { ...scheduling, maxGapGcMs: collectedDuring(longestGap) } } : {}),
      };
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
