// processes.js — the service as `npm start` runs it, for the benchmarks (test/bench/e2e and
// test/bench/load): a private redis-server on a free loopback port, API and worker processes
// from the built dist, each with its own workspace, uid range, cgroup folder and queue prefix so
// nothing else on the host is touched; an HTTP client with keep-alive; percentiles; RSS.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { buildIfMissing, NODE_ARGS, redisServerArgs, waitForPort } = require('../../../scripts/local-redis');

const ROOT = path.resolve(__dirname, '../../..');
const LAUNCHER = path.join(ROOT, 'native/build/runbox-launcher');

function die(msg) {
  console.error(`bench: ${msg}`);
  process.exit(1);
}

function ensureBuilt() {
  if (process.getuid && process.getuid() !== 0) die('run as root (the worker builds namespaces, cgroups and mounts)');
  if (buildIfMissing(ROOT, (msg) => console.log(`bench: ${msg}`)) !== 0) die('npm run build failed');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (s.address()); // listening on TCP
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Every child still running: if the bench itself dies, it takes them down (see the exit hook). */
const live = new Set();
process.on('exit', () => {
  for (const proc of live) proc.kill('SIGTERM');
});

/**
 * A child process that must stay up: its output is kept (tail) and printed if it dies early.
 * With `cpus` (a taskset list such as "1"), it starts on those CPUs only; taskset execs the
 * command, so the pid is the command's, and every thread and child it starts inherits the mask.
 */
function child(name, cmd, args, env, cpus) {
  const [file, argv] = cpus === undefined ? [cmd, args] : ['taskset', ['-c', cpus, cmd, ...args]];
  const proc = spawn(file, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  let out = '';
  const keep = (d) => (out = (out + d).slice(-20000));
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  let expectedExit = false;
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(({ code, signal }) => {
    if (!expectedExit) {
      console.error(`bench: ${name} exited unexpectedly (${signal ?? code}):\n${out}`);
      process.exit(1);
    }
  });
  const signal = async (sig) => {
    expectedExit = true;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(sig);
    return exited;
  };
  return {
    pid: proc.pid,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    /** Resident memory of the process itself, in KiB (its children are not counted). */
    rssKb: () => {
      const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) : NaN;
    },
  };
}

async function startRedis(cpus) {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runbox-bench-redis-'));
  const proc = child('redis-server', 'redis-server', redisServerArgs(port, dir), {}, cpus);
  await waitForPort(port, 15000);
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: proc.pid,
    async stop() {
      await proc.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Settings shared by the API and the worker of one bench run: private prefix, workspace, uids and
 * cgroup folder; admission limits out of the way (a benchmark is one client sending a lot). The
 * API is open on loopback, so the rate limit does not apply at its default (README "Access control").
 */
function serviceEnv(redisUrl, port, extra = {}) {
  const tag = `bench-${process.pid}`;
  return {
    REDIS_URL: redisUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: tag,
    WORKSPACE_DIR: path.join(os.tmpdir(), `runbox-${tag}`, 'slots'),
    WORKER_UID_BASE: String(70000 + (process.pid % 1000) * 16),
    CGROUP_PARENT: `runbox-${tag}`,
    MAX_ACTIVE_JOBS_PER_KEY: '1000000',
    MAX_QUEUE_LENGTH: '1000000',
    ...extra,
  };
}

/** A Node process (node `file` `args`) with the service's Node flags. */
function startNode(name, file, args, env, cpus) {
  // BENCH_CPU_PROF=<dir>: each process writes a V8 CPU profile there when it exits (node --cpu-prof).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  return child(name, process.execPath, [...NODE_ARGS, ...prof, file, ...args], env, cpus);
}

function startApi(env, cpus) {
  return startNode('api', path.join(ROOT, 'apps/api/dist/main.js'), [], env, cpus);
}

function startWorker(env, cpus) {
  return startNode('worker', path.join(ROOT, 'apps/worker/dist/main.js'), [], env, cpus);
}

/** Puts every thread of process `pid` on `cpus` (a taskset list); processes it starts later inherit it. */
function pin(pid, cpus) {
  const r = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset -p ${cpus} ${pid} failed: ${r.stderr || r.error}`);
}

/** Removes what a bench run's worker left: its workspace folder (once unmounted) and cgroup folder. */
function cleanupHost(env) {
  removeSlots(path.dirname(env.WORKSPACE_DIR), env.CGROUP_PARENT);
}

/** Unmounts every workspace mounted under `dir`, removes `dir`, and removes the cgroup folder `cgroupParent`. */
function removeSlots(dir, cgroupParent) {
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (mp && mp.startsWith(`${dir}/`)) spawnSync(LAUNCHER, [`--workspace-unmount=${mp}`]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  removeCgroupParent(cgroupParent);
}

/**
 * Removes the cgroup folder `name` from every hierarchy it is in, with the groups killed launchers
 * left in it: the launcher's sweep, which knows the layout (what it could not remove is worth seeing).
 */
function removeCgroupParent(name) {
  const r = spawnSync(LAUNCHER, ['--cgroup-sweep', '--remove-parent', `--cgroup-parent=${name}`], { encoding: 'utf8' });
  const failed = r.status === 0 ? JSON.parse(r.stdout).failed : [{ path: name, reason: r.stderr || r.error }];
  for (const f of failed) console.error(`cgroup ${f.path} not removed: ${f.reason}`);
}

/**
 * One keep-alive HTTP client: `call(method, path, body)` → { status, body, ms }. A request sent on
 * a kept-alive socket the server closed meanwhile (its idle timeout, between bench phases) is
 * sent again once on a new one, as Node's documentation advises (`request.reusedSocket`).
 */
function client(base, maxSockets) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const { hostname, port } = new URL(base);
  const send = (method, p, payload, headers) =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = http.request(
        {
          agent,
          hostname,
          port,
          method,
          path: p,
          headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), ...headers },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            const text = Buffer.concat(chunks).toString();
            let parsed;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = text;
            }
            resolve({ status: res.statusCode, body: parsed, ms });
          });
          res.on('error', reject);
        },
      );
      req.on('error', (e) => reject(Object.assign(e, { reusedSocket: req.reusedSocket })));
      req.setTimeout(120000, () => req.destroy(new Error('request timed out after 120 s')));
      req.end(payload);
    });
  return async function call(method, p, body, headers = {}) {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    try {
      return await send(method, p, payload, headers);
    } catch (err) {
      const e = /** @type {NodeJS.ErrnoException & { reusedSocket?: boolean }} */ (err);
      if (!e.reusedSocket || e.code !== 'ECONNRESET') throw e;
      return send(method, p, payload, headers);
    }
  };
}

async function waitReady(call, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call('GET', '/health/ready').catch(() => null);
    if (res && res.status === 200) return;
    if (Date.now() > deadline) throw new Error(`the service is not ready after ${timeoutMs} ms: ${JSON.stringify(res && res.body)}`);
    await sleep(100);
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

module.exports = {
  ROOT,
  LAUNCHER,
  ensureBuilt,
  freePort,
  sleep,
  startRedis,
  serviceEnv,
  startApi,
  startWorker,
  startNode,
  pin,
  waitForPort,
  cleanupHost,
  removeSlots,
  client,
  waitReady,
  percentile,
};
