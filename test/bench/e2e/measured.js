// measured.js — the e2e bench's phases that explain its figures (issue 13), used by bench.js:
//   pinned    the worker's efficiency where it is alone on a CPU, as on a worker host whose API
//             runs elsewhere: API, Redis and the bench client on CPU 0, the worker and its
//             sandboxes on CPU 1 (taskset; sandboxes inherit the mask), against the launcher
//             alone driven on CPU 1 with the same slots, plus the worker's CPU per job;
//   commands  what one job costs Redis: every command seen by MONITOR over a run of jobs,
//             attributed to the process whose connection sent it (API, worker), scripts counted
//             as one call each and the commands they ran counted apart; INFO commandstats'
//             delta as the total;
//   latency   POST /v1/jobs?wait=true at 1 client against the launcher alone at 1 slot, per round.
// Every figure is printed as the mean of its rounds with the rounds' spread (min–max).
'use strict';

const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const p = require('./processes');

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const pct = (x) => `${(100 * x).toFixed(0)}%`;

/** `values` as "mean (min–max)" in `fmt`. */
function spread(values, fmt = f1) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `${fmt(mean)} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
}
const meanOf = (values) => values.reduce((a, b) => a + b, 0) / values.length;

// ---- warm-up -----------------------------------------------------------------------------------

/**
 * Runs jobs until what they cost has settled, and says how it went. V8 compiles a Node process's
 * hot path in tiers over its first few thousand calls: on this VM a fresh service spends about twice the CPU per job of a warm one for its first ~3,000 jobs, and so does
 * the floor, with plateaus on the way down. A service runs warm in production, so every figure is
 * taken warm, the floor's too. `run(n)` runs n jobs, in windows of `prog.warmWindow`: at least
 * `prog.warmJobs` jobs, then until the last three windows are within 5% of their mean, or
 * `prog.warmWindows` windows have run.
 * @param {(n: number) => Promise<unknown>} run
 * @param {() => number} cpu the CPU time (ms) the processes measured have used so far
 * @param {{ warmWindow: number, warmJobs: number, warmWindows: number }} prog
 * @returns {Promise<{ jobs: number, firstMs: number, lastMs: number, settled: boolean }>} CPU per job (ms) of the first and last windows
 */
async function warmUp(run, cpu, prog) {
  /** @type {number[]} */
  const perJob = [];
  /** @param {boolean} settled */
  const result = (settled) => ({ jobs: perJob.length * prog.warmWindow, firstMs: perJob[0] ?? NaN, lastMs: perJob.at(-1) ?? NaN, settled });
  while (perJob.length < prog.warmWindows) {
    const before = cpu();
    await run(prog.warmWindow);
    perJob.push((cpu() - before) / prog.warmWindow);
    const last = perJob.slice(-3);
    const mean = meanOf(last);
    if (perJob.length * prog.warmWindow >= prog.warmJobs && last.length === 3 && last.every((x) => Math.abs(x - mean) <= 0.05 * mean)) {
      return result(true);
    }
  }
  return result(false);
}

/** A warm-up's line: what the first and the last window cost, over how many jobs. */
const warmedLine = (what, w) =>
  `${what}: ${f2(w.firstMs)} → ${f2(w.lastMs)} ms CPU per job over ${w.jobs} jobs${w.settled ? '' : ' (not settled: figures may still fall)'}`;

// ---- pinned ------------------------------------------------------------------------------------

/**
 * The pinned phase on a stack of its own (Redis and API on CPU 0, worker on CPU 1), `rounds`
 * rounds per program, each round the service and then the launcher alone (driven from this
 * process, moved to CPU 1 for it). `m` holds bench.js's measurers.
 */
async function pinnedPhase(m, programs, slots, rounds) {
  const all = `0-${os.cpus().length - 1}`;
  const tag = `bench-${process.pid}-pinned`;
  const redis = await p.startRedis('0');
  const port = await p.freePort();
  const env = p.serviceEnv(redis.url, port, {
    WORKER_SLOTS: String(slots),
    WORKSPACE_DIR: path.join(os.tmpdir(), `runbox-${tag}`, 'slots'),
    WORKER_UID_BASE: String(72000 + (process.pid % 1000) * 16),
    CGROUP_PARENT: `runbox-${tag}`,
  });
  const worker = p.startWorker(env, '1');
  const api = p.startApi(env, '0');
  const call = p.client(`http://127.0.0.1:${port}`, 64);
  const results = [];
  try {
    p.pin(process.pid, '0');
    await p.waitReady(call);
    for (const prog of programs) {
      const runs = prog.runs[16];
      const cpu = () => m.cpuMs(api.pid).self + m.cpuMs(worker.pid).self;
      const warm = await warmUp((n) => m.measureApi(call, prog, 16, n), cpu, prog);
      const r = { prog, warm, rounds: /** @type {{ api: number, launcher: number, workerMs: number, sandboxMs: number }[]} */ ([]) };
      for (let i = 0; i < rounds; i++) {
        const before = { self: m.cpuMs(worker.pid), servers: m.serversCpuMs(worker.pid) };
        const { jobsPerS } = await m.measureApi(call, prog, 16, runs);
        const after = { self: m.cpuMs(worker.pid), servers: m.serversCpuMs(worker.pid) };
        p.pin(process.pid, '1'); // the launcher alone and its driver where the worker runs
        let launcher;
        try {
          launcher = await m.measureLauncher(prog, slots, runs, 'serve');
        } finally {
          p.pin(process.pid, '0');
        }
        r.rounds.push({
          api: jobsPerS,
          launcher,
          workerMs: (after.self.self - before.self.self) / runs,
          sandboxMs: (after.self.children - before.self.children + after.servers - before.servers) / runs,
        });
      }
      results.push(r);
    }
  } finally {
    p.pin(process.pid, all);
    await Promise.all([api.stop(), worker.stop()]);
    await redis.stop();
    p.cleanupHost(env);
  }
  return results;
}

function printPinned(results, slots) {
  console.log(
    `\npinned: API, Redis and the bench client on CPU 0; the worker and its sandboxes on CPU 1 (${slots} slots); the launcher alone`,
  );
  console.log('driven on CPU 1 with the same slots. jobs/s at 16 clients; CPU per job of the worker process itself and of its sandboxes');
  console.log('(means of the rounds, min–max in parentheses; the ratio is taken within each round)');
  for (const { prog, warm } of results) console.log(`  warm-up of the pinned service (API and worker), ${warmedLine(prog.name, warm)}`);
  for (const { prog, rounds } of results) {
    const ratios = rounds.map((x) => x.api / x.launcher);
    const target = prog.pinnedTarget;
    const verdict =
      target === undefined ? '' : ` (target ≥ ${pct(target)}: ${Math.min(...ratios) >= target ? 'met' : 'MISSED'} in its worst round)`;
    console.log(
      `  ${prog.name.padEnd(14)} service ${spread(rounds.map((x) => x.api))} · launcher alone ${spread(rounds.map((x) => x.launcher))} · ` +
        `ratio ${spread(ratios, (x) => pct(x))}${verdict}`,
    );
    console.log(
      `  ${' '.repeat(14)} worker ${spread(
        rounds.map((x) => x.workerMs),
        f2,
      )} ms/job · sandboxes ${spread(
        rounds.map((x) => x.sandboxMs),
        f2,
      )} ms/job`,
    );
  }
}

// ---- commands ----------------------------------------------------------------------------------

/** Local TCP port → name, for the sockets processes `pids` ({ name: pid }) hold. */
function portOwners(pids) {
  const byInode = new Map();
  for (const [name, pid] of Object.entries(pids)) {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) byInode.set(m[1], name);
      } catch {
        // closed meanwhile
      }
    }
  }
  const ports = new Map();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const name = byInode.get(f[9]);
      if (name) ports.set(parseInt(f[1].slice(f[1].lastIndexOf(':') + 1), 16), name); // local address:port, hex
    }
  }
  return ports;
}

/** One raw RESP connection: `send(...args)` resolves with the reply's text (enough for INFO). */
function rawConnection(url) {
  const u = new URL(url);
  const sock = net.connect(Number(u.port), u.hostname);
  const encode = (args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return { sock, encode };
}

/** INFO commandstats as { command: calls }. */
async function commandStats(url) {
  const { sock, encode } = rawConnection(url);
  let text = '';
  await /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => {
      sock.on('error', reject);
      sock.on('data', (d) => {
        text += d;
        const m = /^\$(\d+)\r\n/.exec(text);
        if (m && Buffer.byteLength(text) >= m[0].length + Number(m[1])) resolve();
      });
      sock.write(encode(['INFO', 'commandstats']));
    })
  );
  sock.end();
  const stats = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) stats[m[1]] = Number(m[2]);
  return stats;
}

/**
 * Runs `work()` while MONITOR watches Redis at `url`; resolves with the commands each process
 * ({ name: pid }) sent ({ name: { command: n } }), those run inside scripts (`lua`), and INFO
 * commandstats' delta over the same time.
 */
async function countCommands(url, pids, work) {
  const { sock, encode } = rawConnection(url);
  const seen = new Map(); // "addr command" → n
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const m = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
      if (!m) continue;
      const key = `${m[1]} ${m[2].toLowerCase()}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  });
  await new Promise((resolve) => sock.write(encode(['MONITOR']), resolve));
  await p.sleep(100);
  const before = await commandStats(url);
  await work();
  await p.sleep(200); // the last ends and their bookkeeping
  const after = await commandStats(url);
  const owners = portOwners(pids);
  sock.destroy();
  const byProcess = {};
  for (const [key, n] of seen) {
    const [addr, cmd] = key.split(' ');
    const port = Number(addr.split(':').pop());
    const who = addr === 'lua' ? 'inside scripts' : (owners.get(port) ?? 'other');
    if (cmd === 'info' && who === 'other') continue; // this function's own INFO
    (byProcess[who] ??= {})[cmd] = (byProcess[who][cmd] ?? 0) + n;
  }
  const total = {};
  for (const [cmd, n] of Object.entries(after)) if (n - (before[cmd] ?? 0) > 0) total[cmd] = n - (before[cmd] ?? 0);
  if (total.info) total.info -= 1; // the INFO that took `after`
  if (total.monitor) delete total.monitor;
  return { byProcess, total };
}

const SCRIPT_COMMANDS = new Set(['evalsha', 'eval', 'fcall']);

/** The commands per job each process sent, scripts apart, most frequent first. */
function printCommands(results) {
  console.log('\nRedis commands per job (MONITOR, 16 clients POST ?wait=true; a script is one call, the commands it runs are counted');
  console.log('under "inside scripts"; INFO commandstats counts both)');
  for (const { prog, rounds } of results) {
    console.log(`  ${prog.name}:`);
    const names = [...new Set(rounds.flatMap((r) => Object.keys(r.byProcess)))].sort();
    for (const who of names) {
      const perRound = rounds.map((r) => r.byProcess[who] ?? {});
      const cmds = [...new Set(perRound.flatMap((x) => Object.keys(x)))];
      const per = (x, pick) => Object.entries(x).reduce((sum, [c, n]) => sum + (pick(c) ? n : 0), 0);
      const calls = perRound.map((x, i) => per(x, () => true) / rounds[i].jobs);
      const scripts = perRound.map((x, i) => per(x, (c) => SCRIPT_COMMANDS.has(c)) / rounds[i].jobs);
      const detail = cmds
        .map((c) => [c, meanOf(perRound.map((x, i) => (x[c] ?? 0) / rounds[i].jobs))])
        .sort((a, b) => b[1] - a[1])
        .filter(([, n]) => n >= 0.05)
        .map(([c, n]) => `${c} ${f2(n)}`)
        .join(', ');
      console.log(
        `    ${who.padEnd(15)} ${spread(calls, f2)} calls/job${who === 'inside scripts' ? '' : `, of them scripts ${spread(scripts, f2)}`}: ${detail}`,
      );
    }
    const totals = rounds.map((r) => Object.values(r.total).reduce((a, b) => a + b, 0) / r.jobs);
    console.log(`    ${'INFO total'.padEnd(15)} ${spread(totals, f2)} calls/job`);
  }
}

module.exports = { spread, meanOf, pct, f1, f2, warmUp, warmedLine, pinnedPhase, printPinned, countCommands, printCommands };
