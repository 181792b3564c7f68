// slots.js — sandbox slots as the runbox worker keeps them, driven straight from Node, for the
// e2e bench's references (the launcher alone, BullMQ alone, the HTTP + BullMQ floor): a workspace
// tmpfs and a uid per slot, the run exactly as the worker asks for it (argv, environment, limits,
// mounts from the same tables), a fresh box per run.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const p = require('./processes');

/** The run exactly as the worker asks for it: argv, environment, limits, mounts (from the same tables). */
function runSpecOf(prog) {
  const { LanguageRegistry, expandArgv, adjustLimits, languageEnv } = require('@runbox/languages');
  const { DEFAULT_LIMITS } = require('@runbox/contract');
  const registry = LanguageRegistry.fromFile(path.join(p.ROOT, 'libs/languages/languages.json'));
  const lang = registry.find(prog.language);
  if (!lang) throw new Error(`${prog.name}: no language ${prog.language} in languages.json`);
  const limits = adjustLimits(lang, DEFAULT_LIMITS);
  const argv = expandArgv(lang.run, [], lang, DEFAULT_LIMITS.memoryMb);
  const env = languageEnv(lang);
  const runArgs = [
    `--cpu-time-ms=${limits.cpuTimeMs}`,
    `--wall-time-ms=${limits.wallTimeMs}`,
    `--memory-kb=${limits.memoryMb * 1024}`,
    `--processes=${limits.processes}`,
    `--output-bytes=${limits.outputBytes}`,
    `--file-size-kb=${64 * 1024}`,
    ...Object.entries(env).map(([k, v]) => `--env=${k}=${v}`),
    '--',
    ...argv,
  ];
  const spec = {
    argv,
    env,
    stdin: '',
    cpuTimeMs: limits.cpuTimeMs,
    wallTimeMs: limits.wallTimeMs,
    memoryKb: limits.memoryMb * 1024,
    processes: limits.processes,
    outputBytes: limits.outputBytes,
    fileSizeKb: 64 * 1024,
  };
  return { file: lang.sourceFile, runArgs, spec, mounts: registry.allMounts() };
}

/** One prepared sandbox: resolves when ready; `run(box)` sends the request and resolves with the report. */
function prepare(setupArgs) {
  const child = spawn(p.LAUNCHER, [...setupArgs, '--report-fd=3', '--control-fd=4'], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    env: {},
  });
  let buf = '';
  const lines = [];
  /** @type {((value?: unknown) => void) | null} */
  let wake = null;
  const reports = /** @type {import('node:stream').Readable} */ (child.stdio[3]);
  const control = /** @type {import('node:stream').Writable} */ (child.stdio[4]);
  reports.setEncoding('utf8');
  reports.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    if (wake) wake();
  });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.resume();
  const exited = new Promise((r) => child.once('close', r));
  const nextLine = async () => {
    while (lines.length === 0) {
      if (child.exitCode !== null) throw new Error('launcher exited early');
      await new Promise((r) => (wake = r));
      wake = null;
    }
    return lines.shift();
  };
  const ready = nextLine().then((l) => {
    if (!/"ready"\s*:\s*true/.test(l)) throw new Error(`launcher not ready: ${l}`);
  });
  return {
    ready,
    async run(box, runArgs) {
      child.stdin.end();
      control.end(Buffer.from([`--box=${box}`, ...runArgs].map((a) => `${a}\0`).join('') + '\0'));
      const report = JSON.parse(await nextLine());
      await exited;
      return { report, stdout };
    },
    /** EOF on the control fd: the launcher tears the unused sandbox down. */
    async dispose() {
      child.stdin.end();
      control.end();
      await exited;
    },
  };
}

/**
 * `count` sandbox slots as the worker keeps them: a workspace tmpfs and a uid each, and (mode
 * `serve`) a long-lived `--serve` launcher driven by the worker's own SandboxServer
 * (apps/worker/dist/sandbox/launcher.js). `run(slot)` writes the program into a fresh box, runs
 * it, checks its output and removes the box, as the worker does for a job.
 */
function openSlots(prog, count, mode) {
  const { SandboxServer } = require(path.join(p.ROOT, 'apps/worker/dist/sandbox/launcher.js'));
  const spec = runSpecOf(prog);
  const uidBase = 71000 + (process.pid % 1000) * 16;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runbox-bench-launcher-'));
  const cgroupParent = `runbox-bench-launcher-${process.pid}`;
  const slots = [];
  for (let s = 0; s < count; s++) {
    const ws = path.join(dir, String(s));
    const r = spawnSync(p.LAUNCHER, [`--workspace-mount=${ws}`, '--disk-kb=65536', '--inodes=16384']);
    if (r.status !== 0) throw new Error(`workspace mount failed: ${r.stderr}`);
    const uid = uidBase + s;
    const server =
      mode === 'serve'
        ? new SandboxServer({
            launcherPath: p.LAUNCHER,
            uid,
            gid: uid,
            workspaceDir: ws,
            tmpSizeKb: 65536,
            cgroupParent,
            // the host's own tree and the launcher's own CPUs, as the worker's defaults
            rootfs: '/',
            cpus: '',
            mounts: spec.mounts,
          })
        : null;
    const setup = server
      ? null
      : [
          `--uid=${uid}`,
          `--gid=${uid}`,
          `--workspace=${ws}`,
          '--tmp-size-kb=65536',
          `--cgroup-parent=${cgroupParent}`,
          ...spec.mounts.map((m) => `--bind-ro=${m}`),
        ];
    slots.push({ ws, uid, server, setup, prepared: server ? null : prepare(setup), n: 0 });
  }
  return {
    slots,
    /**
     * One run in `slot` of `source` (the program's own unless given), whose output must be the
     * program's; resolves with its duration (request written → response read), ms.
     */
    async run(slot, source = prog.source) {
      const box = `box-${slot.uid}-${slot.n++}`;
      const boxPath = path.join(slot.ws, box);
      fs.mkdirSync(boxPath, { mode: 0o755 });
      fs.writeFileSync(path.join(boxPath, spec.file), source, { mode: 0o644 });
      fs.chownSync(boxPath, slot.uid, slot.uid);
      let report, stdout;
      const t0 = process.hrtime.bigint();
      if (slot.server) {
        const out = await slot.server.run({ ...spec.spec, box });
        report = out.report;
        stdout = out.stdout.toString();
      } else {
        await slot.prepared.ready;
        ({ report, stdout } = await slot.prepared.run(box, spec.runArgs));
        slot.prepared = prepare(slot.setup);
      }
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (report.exitCode !== 0 || stdout !== prog.stdout)
        throw new Error(`launcher run: ${JSON.stringify(report)} ${JSON.stringify(stdout)}`);
      fs.rmSync(boxPath, { recursive: true, force: true });
      return ms;
    },
    async close() {
      for (const slot of slots) {
        if (slot.server) await slot.server.close();
        else {
          await slot.prepared.ready.catch(() => undefined);
          await slot.prepared.dispose();
        }
      }
      p.removeSlots(dir, cgroupParent);
    },
  };
}

module.exports = { openSlots };
