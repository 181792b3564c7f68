#!/usr/bin/env node
// bench.js — how fast is a sandboxed run? One run of this script measures, for `/bin/true` and
// `/usr/bin/python3 -c pass`, back to back and with 50 ms gaps between runs:
//   bare       fork+exec+wait of the program itself (no sandbox)
//   prepared   runbox-launcher's prepared mode: the job's critical path, from writing the request
//              on the control fd to reading the report (the sandbox was prepared beforehand:
//              during the gap, or just before when back to back). Its "cycle" column is the
//              whole spawn → exit of that launcher minus the gap, i.e. what preparing costs.
//   rootless   prepared, with the launcher's user namespace (--userns): the per-run cost of the
//              rootless mode's namespace, measured as root (the id maps written directly)
//   worker-ns  rootless as a rootless worker runs it: the launcher started from inside a user
//              namespace of the worker's own (--enter-userns), so each sandbox's namespace is the
//              second level (as root here, that outer namespace maps every id to itself)
//   one-shot   runbox-launcher doing everything on the spot (cgroup, namespaces, mounts, run,
//              teardown), full isolation (seccomp + cgroups)
//   bwrap      bubblewrap --unshare-all with a minimal read-only root
// Every contender is spawned and timed the same way by native/build/rb-bench (posix_spawn +
// waitpid, CLOCK_MONOTONIC), with the same small environment; samples are taken in interleaved
// rounds so background noise hits all contenders alike.
// Usage (root): node test/bench/launcher/bench.js [--quick]
'use strict';

const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../../..');
const NATIVE = path.join(ROOT, 'native');
const LAUNCHER = path.join(NATIVE, 'build/runbox-launcher');
const RB_BENCH = path.join(NATIVE, 'build/rb-bench');
const QUICK = process.argv.includes('--quick');
const UID = 62000;
const ROUNDS = 4;
const PATTERNS = [
  { name: 'back-to-back', gapMs: 0, runs: QUICK ? 40 : 200 },
  { name: '50 ms gaps', gapMs: 50, runs: QUICK ? 12 : 60 },
];
const PROGRAMS = [
  { name: '/bin/true', argv: ['/bin/true'] },
  { name: 'python3 -c pass', argv: ['/usr/bin/python3', '-c', 'pass'] },
];
const ENV = ['--env', 'PATH=/usr/local/bin:/usr/bin:/bin', '--env', 'LANG=C.UTF-8'];

function die(msg) {
  console.error(`bench: ${msg}`);
  process.exit(1);
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function setup() {
  if (process.getuid && process.getuid() !== 0) die('run as root (the launcher creates namespaces and cgroups)');
  const make = spawnSync('make', ['-s', '-C', NATIVE], { stdio: 'inherit' });
  if (make.status !== 0) die('make -C native failed');
  let bwrap = which('bwrap');
  if (!bwrap) {
    console.log('bench: installing bubblewrap (apt-get) ...');
    spawnSync('apt-get', ['install', '-y', '-qq', 'bubblewrap'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    bwrap = which('bwrap');
    if (!bwrap) die('bubblewrap is not installed and apt-get could not install it');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rb-bench-'));
  fs.chmodSync(dir, 0o755);
  const ws = path.join(dir, 'ws');
  execFileSync(LAUNCHER, ['--workspace-mount', ws, '--disk-kb', '65536', '--inodes', '4096']);
  fs.mkdirSync(path.join(ws, 'box'));
  fs.chownSync(path.join(ws, 'box'), UID, UID);
  const cleanup = () => {
    spawnSync(LAUNCHER, ['--workspace-unmount', ws]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  process.on('SIGINT', () => process.exit(130));
  return { bwrap, ws };
}

// One contender: a function (runs, gapMs, argv) → { samples[, cycle] } in microseconds.
function contenders({ bwrap, ws }) {
  const setupArgs = ['--uid', String(UID), '--gid', String(UID), '--workspace', ws];
  const runArgs = ['--box', 'box', ...ENV];
  const rb = (args, outer = /** @type {string[]} */ ([])) => {
    const [cmd, ...rest] = [...outer, RB_BENCH, ...args];
    const r = spawnSync(/** @type {string} */ (cmd), rest, { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) die(`rb-bench ${args.slice(0, 3).join(' ')} failed: ${r.stderr}`);
    return r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ').map(Number));
  };
  const prepared =
    (extra, outer = /** @type {string[]} */ ([])) =>
    (n, gap, argv) => {
      const [samples, cycle] = rb(['prepared', n, gap, LAUNCHER, ...setupArgs, ...extra, '--', ...runArgs, '--', ...argv], outer);
      return { samples, cycle };
    };
  return [
    { name: 'bare', run: (n, gap, argv) => ({ samples: rb(['exec', n, gap, '--', ...argv])[0] }) },
    { name: 'prepared', run: prepared([]) },
    { name: 'rootless', run: prepared(['--userns']) },
    { name: 'worker-ns', run: prepared(['--userns'], [LAUNCHER, '--enter-userns', '--']) },
    {
      name: 'one-shot',
      run: (n, gap, argv) => ({
        samples: rb(['exec', n, gap, '--', LAUNCHER, ...setupArgs, '--report-fd', '3', ...runArgs, '--', ...argv])[0],
      }),
    },
    {
      name: 'bwrap',
      run: (n, gap, argv) => ({
        samples: rb([
          'exec',
          n,
          gap,
          '--',
          bwrap,
          '--unshare-all',
          '--ro-bind',
          '/usr',
          '/usr',
          '--symlink',
          'usr/bin',
          '/bin',
          '--symlink',
          'usr/lib',
          '/lib',
          '--symlink',
          'usr/lib64',
          '/lib64',
          '--proc',
          '/proc',
          '--dev',
          '/dev',
          '--tmpfs',
          '/tmp',
          '--',
          ...argv,
        ])[0],
      }),
    },
  ];
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}
function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { median: pct(s, 50) / 1000, p95: pct(s, 95) / 1000, n: s.length };
}
const ms = (x) => x.toFixed(3).padStart(8);
const ratio = (a, b) => (a / b).toFixed(2).padStart(6);

function main() {
  const env = setup();
  const cs = contenders(env);
  const cgroup = JSON.parse(execFileSync(LAUNCHER, ['--cgroup-info'], { encoding: 'utf8' })).mode; // the launcher's own choice
  console.log(`runbox launcher benchmark — kernel ${os.release()}, ${os.cpus().length} CPUs, cgroup ${cgroup}`);
  console.log('times in ms (median / p95); ratios use medians; prepared = request → report\n');

  /** @type {[what: string, ratio: number, met: boolean][]} */
  const verdicts = [];
  for (const prog of PROGRAMS) {
    for (const pat of PATTERNS) {
      const acc = Object.fromEntries(
        cs.map((c) => [c.name, { samples: /** @type {number[]} */ ([]), cycle: /** @type {number[]} */ ([]) }]),
      );
      const per = Math.ceil(pat.runs / ROUNDS);
      for (let r = 0; r < ROUNDS; r++) {
        for (const c of cs) {
          const res = c.run(per, pat.gapMs, prog.argv);
          acc[c.name].samples.push(...res.samples);
          if (res.cycle) acc[c.name].cycle.push(...res.cycle);
        }
      }
      const st = Object.fromEntries(cs.map((c) => [c.name, stats(acc[c.name].samples)]));
      const cyc = stats(acc.prepared.cycle);
      const cycU = stats(acc.rootless.cycle);
      console.log(`${prog.name} — ${pat.name} (${st.bare.n} runs each)`);
      console.log('  contender        median       p95   /bwrap   /bare');
      for (const c of cs) {
        const s = st[c.name];
        console.log(
          `  ${c.name.padEnd(12)} ${ms(s.median)}  ${ms(s.p95)}  ${ratio(s.median, st.bwrap.median)}  ${ratio(s.median, st.bare.median)}`,
        );
      }
      console.log(`  (prepared cycle, spawn → exit minus the gap: ${ms(cyc.median).trim()} / ${ms(cyc.p95).trim()};`);
      console.log(`   rootless cycle: ${ms(cycU.median).trim()} / ${ms(cycU.p95).trim()})\n`);
      if (prog.argv[0] === '/bin/true') {
        const r = st.prepared.median / st.bwrap.median;
        verdicts.push([`/bin/true ${pat.name}: prepared ≤ 0.6 × bwrap`, r, r <= 0.6]);
        const u = st.rootless.median / st.prepared.median;
        verdicts.push([`/bin/true ${pat.name}: rootless ≤ 1.2 × prepared`, u, u <= 1.2]);
        const w = st['worker-ns'].median / st.prepared.median;
        verdicts.push([`/bin/true ${pat.name}: worker-ns ≤ 1.2 × prepared`, w, w <= 1.2]);
      } else {
        const r = st.prepared.median / st.bare.median;
        verdicts.push([`python3 -c pass ${pat.name}: prepared ≤ 1.10 × bare`, r, r <= 1.1]);
      }
    }
  }
  console.log('targets');
  for (const [what, r, ok] of verdicts) console.log(`  ${ok ? 'met   ' : 'MISSED'}  ${what} (${r.toFixed(2)})`);
}

main();
