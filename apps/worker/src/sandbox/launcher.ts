/**
 * Drives native/build/runbox-launcher, the only thing that spawns it. Normally each slot has a
 * `SandboxServer`: a long-lived launcher that builds the slot's next sandbox (cgroup, namespaces,
 * root filesystem) before its job arrives, so a run pays little more than exec, and the worker
 * never forks per run. `runOnce` builds the sandbox in the run itself (one-shot mode).
 * Argument arrays only: nothing here ever goes through a shell.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { LAUNCHER_EXIT, type CgroupInfo, type CgroupSweep, type LauncherReport } from '@runbox/contract';
import { parseCgroupInfo, parseCgroupSweep } from './cgroups';
import { encodeCancel, encodeInput, encodeRun, ResponseReader, type OutputFrame, type ResponseFrame } from './frames';
import { parseReport } from './report';
import { SandboxError } from './sandbox.errors';
import type { VersionRunner } from './versions';

/** What the launcher needs to build a sandbox for one slot. */
export interface SandboxSetup {
  launcherPath: string;
  uid: number;
  gid: number;
  /** '' for none (then a run's /box is an empty tmpfs). */
  workspaceDir: string;
  tmpSizeKb: number;
  cgroupParent: string;
  /** The CPUs the slot's runs are pinned to (a kernel CPU list, see cpus.ts); '' = the launcher's own affinity. */
  cpus: string;
  /** The tree the read-only binds come from (`/`: the host's own). */
  rootfs: string;
  /** Extra read-only host paths (the languages' mounts). */
  mounts: readonly string[];
  /** A user namespace of its own for every sandbox (SANDBOX_MODE=rootless). */
  userns: boolean;
}

/** One run inside a sandbox. */
export interface RunSpec {
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  /** Directory name inside the workspace bound at /box ('' for an empty tmpfs). */
  box: string;
  stdin: string | Buffer;
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryKb: number;
  processes: number;
  outputBytes: number;
  fileSizeKb: number;
}

/**
 * A streamed run (serve mode): its output as the server reads it, and its stdin fed while it
 * runs. Without `feed` the stdin is `spec.stdin` alone, closed once written.
 */
export interface LiveIo {
  onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  /** Calls `write` with each further chunk of stdin, and with null at its end; returns the way to stop (at the run's end). */
  feed?(write: (chunk: Buffer | null) => void): () => void;
}

export interface RunOutcome {
  report: LauncherReport;
  stdout: Buffer;
  stderr: Buffer;
}

const REPORT_FD = 3;
/** A report is one short line; more than this is not one. */
const REPORT_BYTES = 64 * 1024;
/** The launcher itself enforces the wall limit; this is our guard against a stuck launcher. */
const WATCHDOG_GRACE_MS = 5_000;
const STDERR_TAIL_BYTES = 2048;

function setupArgs(s: SandboxSetup): string[] {
  const args = [`--uid=${s.uid}`, `--gid=${s.gid}`, `--tmp-size-kb=${s.tmpSizeKb}`, `--cgroup-parent=${s.cgroupParent}`];
  if (s.cpus) args.push(`--cpus=${s.cpus}`);
  if (s.workspaceDir) args.push(`--workspace=${s.workspaceDir}`);
  if (s.rootfs !== '/') args.push(`--rootfs=${s.rootfs}`);
  if (s.userns) args.push('--userns');
  for (const m of s.mounts) args.push(`--bind-ro=${m}`);
  return args;
}

function runArgs(r: RunSpec): string[] {
  const args = [
    ...(r.box ? [`--box=${r.box}`] : []), // none: /box is an empty tmpfs
    `--cpu-time-ms=${r.cpuTimeMs}`,
    `--wall-time-ms=${r.wallTimeMs}`,
    `--memory-kb=${r.memoryKb}`,
    `--processes=${r.processes}`,
    `--output-bytes=${r.outputBytes}`,
    `--file-size-kb=${r.fileSizeKb}`,
  ];
  for (const [k, v] of Object.entries(r.env)) {
    if (k.includes('=') || k.includes('\0') || v.includes('\0')) throw new SandboxError(`bad environment variable ${JSON.stringify(k)}`);
    args.push(`--env=${k}=${v}`);
  }
  return [...args, '--', ...r.argv];
}

/** Collects at most `cap` bytes of a stream, draining (and dropping) the rest. */
function collect(stream: Readable, cap: number): () => Buffer {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (c: Buffer) => {
    if (size >= cap) return;
    const take = c.subarray(0, cap - size);
    chunks.push(take);
    size += take.length;
  });
  return () => Buffer.concat(chunks);
}

/** Keeps the last STDERR_TAIL_BYTES of a stream: what a process said last is what explains its end. */
function collectTail(stream: Readable): () => Buffer {
  let tail = Buffer.alloc(0);
  stream.on('data', (c: Buffer) => {
    const all = Buffer.concat([tail, c]);
    tail = all.length > STDERR_TAIL_BYTES ? Buffer.from(all.subarray(all.length - STDERR_TAIL_BYTES)) : all;
  });
  return () => tail;
}

/** The end of a run's stderr, where the launcher's own diagnostic comes, for an error message. */
const tailOf = (stderr: Buffer): string => stderr.subarray(-STDERR_TAIL_BYTES).toString();

const SIGNAL_NAMES = new Map(Object.entries(osConstants.signals).map(([name, no]) => [no, name]));

/** Checks a launcher's outcome: its report when the run was valid, a SandboxError otherwise. */
function outcome(
  line: string | null,
  exit: { code: number | null; signal: NodeJS.Signals | null },
  stderrTail: () => string,
  signal?: AbortSignal,
): LauncherReport {
  if (signal?.aborted) throw new SandboxError(`run aborted: ${String(signal.reason ?? 'aborted')}`);
  if (exit.code === LAUNCHER_EXIT.usage) throw new SandboxError('launcher refused its arguments', { stderrTail: stderrTail() });
  if (line === null || line === '')
    throw new SandboxError(`launcher ended without a report (exit ${exit.code ?? exit.signal})`, { stderrTail: stderrTail() });
  const report = parseReport(line); // throws on the launcher's own error
  if (exit.code !== LAUNCHER_EXIT.ok) throw new SandboxError(`launcher exited ${exit.code ?? exit.signal} after a valid report`);
  return report;
}

/** Runs one program in a sandbox built now (one-shot mode: no server, no preparation). */
export function runOnce(setup: SandboxSetup, spec: RunSpec, signal?: AbortSignal): Promise<RunOutcome> {
  return startOnce(setup, spec, signal).outcome;
}

/**
 * The program's own stdin and stdout (`--stdio-pipes`), for an interactive run: `'pipe'` makes one
 * the caller hands on (to another launcher), or a stream of another child is passed as it is.
 * Then the launcher captures neither: `spec.stdin` is not sent and `stdout` comes back empty.
 */
export type ProgramStdio = [stdin: 'pipe' | Readable | Writable, stdout: 'pipe' | Readable | Writable];

/** Starts a one-shot launcher: its process (for the caller to wire) and the outcome of its run. */
export function startOnce(
  setup: SandboxSetup,
  spec: RunSpec,
  signal?: AbortSignal,
  stdio?: ProgramStdio,
): { child: ChildProcess; outcome: Promise<RunOutcome> } {
  const child = spawn(
    setup.launcherPath,
    [...setupArgs(setup), ...(stdio ? ['--stdio-pipes'] : []), `--report-fd=${REPORT_FD}`, ...runArgs(spec)],
    { stdio: [...(stdio ?? ['pipe', 'pipe']), 'pipe', 'pipe'], env: {} },
  );
  return { child, outcome: outcomeOf(child, spec, signal, !stdio) };
}

async function outcomeOf(child: ChildProcess, spec: RunSpec, signal: AbortSignal | undefined, captured: boolean): Promise<RunOutcome> {
  // 'close' comes once the launcher has exited and all its stdio, the report fd included, has closed.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, sig) => resolve({ code, signal: sig })),
  );
  child.once('error', () => undefined); // surfaced through `exited` and the missing report
  const reportFd = child.stdio[REPORT_FD] as Readable;
  reportFd.on('error', () => undefined); // surfaced as the missing report
  const report = collect(reportFd, REPORT_BYTES);
  let stdout: () => Buffer = () => Buffer.alloc(0);
  if (captured) {
    const stdin = child.stdin!;
    stdin.on('error', () => undefined); // a program that never reads its input is not our failure
    stdin.end(spec.stdin);
    stdout = collect(child.stdout!, spec.outputBytes);
  }
  const stderr = collect(child.stderr!, spec.outputBytes);
  // SIGTERM: the launcher kills the run, removes the cgroup and exits; SIGKILL only if it hangs.
  const stop = () => child.kill('SIGTERM');
  signal?.addEventListener('abort', stop, { once: true });
  const watchdog = setTimeout(() => child.kill('SIGKILL'), spec.wallTimeMs + WATCHDOG_GRACE_MS);
  try {
    const exit = await exited;
    const text = report().toString('utf8');
    const end = text.indexOf('\n');
    const line = end >= 0 ? text.slice(0, end) : text.trim() ? text : null;
    return { report: outcome(line, exit, () => tailOf(stderr()), signal), stdout: stdout(), stderr: stderr() };
  } finally {
    clearTimeout(watchdog);
    signal?.removeEventListener('abort', stop);
  }
}

/** Version probes run as nobody: never a slot's uid, which belongs to the slot's runs. */
const PROBE_ID = 65_534;

/**
 * Version commands in one-shot sandboxes. With SANDBOX_ROOTFS the runtimes exist only in the
 * sandboxes' tree, and the root worker must not execute a file of that tree itself: a program
 * that could corrupt one (a kernel page-cache bug) would then run code as root.
 */
export function versionInSandbox(
  setup: Pick<SandboxSetup, 'launcherPath' | 'cgroupParent' | 'rootfs' | 'mounts' | 'userns'>,
): VersionRunner {
  return async (argv, env) => {
    const { report, stdout, stderr } = await runOnce(
      { ...setup, uid: PROBE_ID, gid: PROBE_ID, workspaceDir: '', tmpSizeKb: 16 * 1024, cpus: '' },
      {
        argv,
        env,
        box: '',
        stdin: '',
        cpuTimeMs: 10_000,
        wallTimeMs: 15_000,
        memoryKb: 1024 * 1024,
        processes: 64,
        outputBytes: 65_536,
        fileSizeKb: 1024,
      },
    );
    if (report.exitCode !== 0) throw new SandboxError(`${argv[0]} ended with ${report.exitCode ?? report.signal}`);
    return { stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8') };
  };
}

interface Pending {
  id: number;
  resolve: (frame: ResponseFrame) => void;
  reject: (e: Error) => void;
  live?: LiveIo;
}

/**
 * A slot's long-lived launcher in serve mode (native/README.md): it keeps the slot's next sandbox
 * prepared and runs requests framed over its stdin/stdout, so the worker, a large process whose
 * every fork copies its page tables, never forks on a job's path. One run at a time; a server
 * that dies (or is killed by the watchdog) fails its run and is replaced by the slot.
 */
export class SandboxServer {
  private readonly child: ChildProcess;
  private readonly stderrTail: () => Buffer;
  private readonly responses = new ResponseReader((frame) => this.onOutput(frame));
  private pending: Pending | null = null;
  private nextId = 1;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(setup: SandboxSetup) {
    this.child = spawn(setup.launcherPath, ['--serve', ...setupArgs(setup)], { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
    this.child.once('error', () => undefined); // surfaced through `exited`
    this.child.stdin!.on('error', () => undefined);
    this.stderrTail = collectTail(this.child.stderr!);
    this.child.stdout!.on('data', (c: Buffer) => {
      let frames: ResponseFrame[];
      try {
        frames = this.responses.push(c);
      } catch {
        this.child.kill('SIGKILL'); // a frame it should not send: nothing it says can be trusted
        return;
      }
      this.onFrames(frames);
    });
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code, signal) => {
        const p = this.pending;
        this.pending = null;
        p?.reject(new SandboxError(`sandbox server exited (${code ?? signal}) during a run`, { stderrTail: this.stderrTail().toString() }));
        resolve({ code, signal });
      }),
    );
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Runs one program in the server's prepared sandbox; with `live`, a streamed run. */
  async run(spec: RunSpec, signal?: AbortSignal, live?: LiveIo): Promise<RunOutcome> {
    if (this.pending) throw new SandboxError('a sandbox server runs one program at a time');
    if (!this.alive) throw new SandboxError('the sandbox server is not running', { stderrTail: this.stderrTail().toString() });
    const id = this.nextId++;
    const stdin = typeof spec.stdin === 'string' ? Buffer.from(spec.stdin) : spec.stdin;
    const done = new Promise<ResponseFrame>((resolve, reject) => (this.pending = { id, resolve, reject, live }));
    this.responses.expectStreamed(live !== undefined);
    this.child.stdin!.write(encodeRun(id, runArgs(spec), stdin, live ? 'S' : 'R'));
    const write = (chunk: Buffer | null) => {
      if (this.pending?.id === id && chunk?.length !== 0) this.child.stdin!.write(encodeInput(id, chunk ?? Buffer.alloc(0)));
    };
    const unfeed = live ? (live.feed?.(write) ?? (write(null), () => undefined)) : () => undefined;
    // The server passes SIGTERM to the run's launcher: it kills the run and tears it down.
    const cancel = () => this.child.stdin!.write(encodeCancel(id));
    signal?.addEventListener('abort', cancel, { once: true });
    // The launcher enforces the wall limit; this guards against a stuck server.
    const watchdog = setTimeout(() => this.child.kill('SIGKILL'), spec.wallTimeMs + WATCHDOG_GRACE_MS);
    try {
      const r = await done;
      const exit =
        r.status >= 0
          ? { code: r.status, signal: null }
          : { code: null, signal: (SIGNAL_NAMES.get(-r.status) ?? 'SIGKILL') as NodeJS.Signals };
      const report = outcome(r.report, exit, () => tailOf(r.stderr), signal);
      // The launcher keeps outputBytes of each stream; the server adds room for its diagnostics.
      return { report, stdout: r.stdout.subarray(0, spec.outputBytes), stderr: r.stderr.subarray(0, spec.outputBytes) };
    } finally {
      unfeed();
      clearTimeout(watchdog);
      signal?.removeEventListener('abort', cancel);
    }
  }

  /** EOF on its stdin: the server tears its prepared sandbox down and exits; SIGKILL if it hangs. */
  async close(): Promise<void> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), WATCHDOG_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private onOutput(frame: OutputFrame): void {
    const p = this.pending;
    if (!p || frame.id !== p.id) return void this.child.kill('SIGKILL'); // out of step with us
    p.live?.onOutput(frame.stream, frame.data);
  }

  private onFrames(frames: ResponseFrame[]): void {
    for (const frame of frames) {
      const p = this.pending;
      if (!p || frame.id !== p.id) {
        this.child.kill('SIGKILL'); // out of step with us: nothing it says can be trusted
        return;
      }
      this.pending = null;
      p.resolve(frame);
    }
  }
}

/** Mounts (or re-mounts empty) a size-limited tmpfs for one slot's workspace. */
export function mountWorkspace(launcherPath: string, dir: string, diskKb: number): Promise<void> {
  return helper(launcherPath, [`--workspace-mount=${dir}`, `--disk-kb=${diskKb}`, `--inodes=${Math.max(1024, diskKb >> 2)}`]);
}

export function unmountWorkspace(launcherPath: string, dir: string): Promise<void> {
  return helper(launcherPath, [`--workspace-unmount=${dir}`]);
}

/**
 * Stops the launchers still running sandboxes in workspace `dir` for a worker that died, so a new
 * owner of the slot never shares its uid or its workspace with them. Launchers end their runs
 * themselves when their worker dies (PR_SET_PDEATHSIG); this is the fallback for one that did not
 * (an older launcher, a parent that was not the worker). SIGTERM: each one kills its run and removes its
 * cgroup; SIGKILL only for one that has not done so after `graceMs`.
 */
export async function stopLeftoverLaunchers(
  launcherPath: string,
  dir: string,
  graceMs = 5_000,
  opts: { spareServers?: boolean } = {},
): Promise<number> {
  const find = async () => {
    const found = new Map<number, { ppid: number; server: boolean }>();
    for (const name of await readdir('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const argv = (await readFile(`/proc/${name}/cmdline`, 'utf8')).split('\0');
        if (argv[0] !== launcherPath || !argv.includes(`--workspace=${dir}`)) continue;
        const stat = await readFile(`/proc/${name}/stat`, 'utf8');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (state !== 'Z') found.set(Number(name), { ppid: Number(ppid), server: argv.includes('--serve') });
      } catch {
        // gone meanwhile
      }
    }
    // The sandbox's init is a clone of its launcher (same command line): signal the launcher only,
    // and a live server's sandboxes are its own to end.
    return [...found].filter(([, p]) => !found.has(p.ppid) && !(opts.spareServers && p.server)).map(([pid]) => pid);
  };
  const signal = (pids: number[], sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        // gone meanwhile
      }
    }
  };
  const leftovers = await find();
  if (leftovers.length === 0) return 0;
  signal(leftovers, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let alive: typeof leftovers;
  while ((alive = (await find()).filter((p) => leftovers.includes(p))).length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  signal(alive, 'SIGKILL');
  return leftovers.length;
}

/** Removes box `name` of workspace `dir` however deep its tree, following nothing (native/README.md `--box-remove`). */
export function removeBoxTree(launcherPath: string, dir: string, name: string): Promise<void> {
  return helper(launcherPath, [`--box-remove=${name}`, `--workspace=${dir}`]);
}

/** Processes of `uid` that still run code (zombies do not), other than prepared sandboxes' own launcher processes waiting for their run. */
async function processesOfUid(uid: number, launcherPath: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = await readFile(`/proc/${name}/status`, 'utf8');
      const ids = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status);
      if (!ids || !ids.slice(1).some((id) => Number(id) === uid) || /^State:\s+Z/m.test(status)) continue;
      // The launcher binary is not visible inside a sandbox: no program can be it.
      if ((await readlink(`/proc/${name}/exe`).catch(() => '')) === launcherPath) continue;
      pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** How long the launchers of a run that ended abnormally get to end it themselves. */
const QUIESCE_GRACE_MS = 1_000;

/**
 * Returns once no program of the slot lives, after a run that ended abnormally (a watchdog, a
 * server that died, a launcher that failed): until then the program may still be changing its
 * box (swapping a directory for a symlink to a host path while root walks it), so nothing of the
 * box is opened before. Every program process runs as the slot's uid, which no other slot or
 * worker uses, so "no process of that uid" is "no process of the run". Leftover launchers of the
 * slot (a dead server's, a stopped one's) get SIGTERM, then SIGKILL, which kills their sandbox's
 * init and with it the whole pid namespace; what still runs after the grace is killed directly.
 * It waits as long as that takes: a slot whose program cannot be stopped takes no job.
 */
export async function quiesceSlot(setup: SandboxSetup, warn: (message: string) => void): Promise<void> {
  const start = Date.now();
  await stopLeftoverLaunchers(setup.launcherPath, setup.workspaceDir, QUIESCE_GRACE_MS, { spareServers: true });
  for (let warned = start; ;) {
    const pids = await processesOfUid(setup.uid, setup.launcherPath);
    if (pids.length === 0) return;
    if (Date.now() - start > QUIESCE_GRACE_MS) {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    if (Date.now() - warned > 10_000) {
      warn(`uid ${setup.uid}: ${pids.length} process(es) still alive ${Math.round((Date.now() - start) / 1000)} s after their run ended`);
      warned = Date.now();
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A helper's answer is one short JSON line; more than this is not one. */
const HELPER_OUTPUT_BYTES = 1 << 20;

/** Runs a launcher helper (native/README.md): its stdout once it exits 0, a SandboxError otherwise. */
function helperOutput(launcherPath: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(launcherPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: {} });
    const out = collect(child.stdout, HELPER_OUTPUT_BYTES);
    const err = collectTail(child.stderr);
    child.once('error', (e) => reject(new SandboxError(`cannot run ${launcherPath}`, { cause: e })));
    child.once('close', (code) =>
      code === 0
        ? resolve(out().toString('utf8'))
        : reject(new SandboxError(`launcher ${args[0]} failed (exit ${code})`, { stderrTail: err().toString() })),
    );
  });
}

const helper = (launcherPath: string, args: string[]): Promise<void> => helperOutput(launcherPath, args).then(() => undefined);

/** Where runs' cgroups go on this host, as the launcher makes them (`--cgroup-info`). */
export async function cgroupInfo(launcherPath: string, cgroupParent: string): Promise<CgroupInfo> {
  return parseCgroupInfo(await helperOutput(launcherPath, ['--cgroup-info', `--cgroup-parent=${cgroupParent}`]));
}

/** Removes the empty cgroups SIGKILLed launchers left under the parent (`--cgroup-sweep`); never one of a running launcher. */
export async function sweepCgroups(launcherPath: string, cgroupParent: string): Promise<CgroupSweep> {
  return parseCgroupSweep(await helperOutput(launcherPath, ['--cgroup-sweep', `--cgroup-parent=${cgroupParent}`]));
}
