/**
 * Drives native/build/runbox-launcher, the only thing that spawns it. A `Sandbox` is one
 * single-use sandbox: in prepared mode it is built (cgroup, namespaces, root filesystem) before
 * its job arrives, so a run pays little more than exec; otherwise it is built by the run itself.
 * Argument arrays only: nothing here ever goes through a shell.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { LAUNCHER_EXIT, type LauncherReport } from '@runbox/contract';
import { parseReport } from './report';
import { SandboxError } from './sandbox.errors';

/** What the launcher needs to build a sandbox for one slot. */
export interface SandboxSetup {
  launcherPath: string;
  uid: number;
  gid: number;
  workspaceDir: string;
  tmpSizeKb: number;
  cgroupParent: string;
  /** Extra read-only host paths (the languages' mounts). */
  mounts: readonly string[];
}

/** One run inside a sandbox. */
export interface RunSpec {
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  /** Directory name inside the workspace bound at /box. */
  box: string;
  stdin: string | Buffer;
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryKb: number;
  processes: number;
  outputBytes: number;
  fileSizeKb: number;
}

export interface RunOutcome {
  report: LauncherReport;
  stdout: Buffer;
  stderr: Buffer;
}

const REPORT_FD = 3;
const CONTROL_FD = 4;
/** The launcher itself enforces the wall limit; this is our guard against a stuck launcher. */
const WATCHDOG_GRACE_MS = 5_000;
const STDERR_TAIL_BYTES = 2048;

function setupArgs(s: SandboxSetup): string[] {
  const args = [
    `--uid=${s.uid}`,
    `--gid=${s.gid}`,
    `--workspace=${s.workspaceDir}`,
    `--tmp-size-kb=${s.tmpSizeKb}`,
    `--cgroup-parent=${s.cgroupParent}`,
    `--report-fd=${REPORT_FD}`,
  ];
  for (const m of s.mounts) args.push(`--bind-ro=${m}`);
  return args;
}

function runArgs(r: RunSpec): string[] {
  const args = [
    `--box=${r.box}`,
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

/** Resolves with the first line of the report fd (and the rest of it, when the stream ends). */
function lines(stream: Readable): { next(): Promise<string | null> } {
  let buf = '';
  let ended = false;
  const waiters: ((l: string | null) => void)[] = [];
  const queue: string[] = [];
  const flush = () => {
    while (waiters.length && (queue.length || ended)) waiters.shift()!(queue.length ? queue.shift()! : null);
  };
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    buf += d;
    if (buf.length > 1 << 20) buf = buf.slice(-4096); // a report is small; never hold a flood
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      queue.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    flush();
  });
  stream.on('end', () => {
    if (buf.trim()) queue.push(buf);
    ended = true;
    flush();
  });
  stream.on('error', () => {
    ended = true;
    flush();
  });
  return { next: () => new Promise((resolve) => (waiters.push(resolve), flush())) };
}

export class Sandbox {
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly report: ReturnType<typeof lines>;
  private readonly stderrTail: () => Buffer;
  private used = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly prepared: boolean,
  ) {
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    child.once('error', () => undefined); // surfaced through `exited`/the report instead
    this.report = lines(child.stdio[REPORT_FD] as Readable);
    // Until a run starts, the launcher's stderr carries only its own diagnostics.
    this.stderrTail = collect(child.stderr!, STDERR_TAIL_BYTES);
  }

  /** Builds a sandbox ahead of its run; resolves once the launcher says it is ready. */
  static async prepare(setup: SandboxSetup): Promise<Sandbox> {
    const child = spawn(setup.launcherPath, [...setupArgs(setup), `--control-fd=${CONTROL_FD}`], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: {},
    });
    const box = new Sandbox(child, true);
    const first = await Promise.race([box.report.next(), box.exited.then(() => null)]);
    if (first === null || !/"ready"\s*:\s*true/.test(first)) {
      child.kill('SIGKILL');
      const { code } = await box.exited;
      throw new SandboxError(`launcher did not get ready (exit ${code})`, { stderrTail: box.stderrTail().toString() });
    }
    return box;
  }

  /** Runs one program in a sandbox built now (no preparation). */
  static async runOnce(setup: SandboxSetup, spec: RunSpec, signal?: AbortSignal): Promise<RunOutcome> {
    const child = spawn(setup.launcherPath, [...setupArgs(setup), ...runArgs(spec)], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: {},
    });
    return new Sandbox(child, false).drive(spec, signal);
  }

  /** Runs one program in this prepared sandbox. A sandbox serves exactly one run. */
  async run(spec: RunSpec, signal?: AbortSignal): Promise<RunOutcome> {
    if (this.used) throw new SandboxError('a sandbox serves exactly one run');
    this.used = true;
    const request = Buffer.from(runArgs(spec).map((a) => `${a}\0`).join('') + '\0');
    const control = this.child.stdio[CONTROL_FD] as Writable;
    control.on('error', () => undefined);
    control.end(request);
    return this.drive(spec, signal);
  }

  /** Tears an unused sandbox down (EOF on its control fd). */
  async dispose(): Promise<void> {
    if (this.used) return;
    this.used = true;
    (this.child.stdio[CONTROL_FD] as Writable | undefined)?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), WATCHDOG_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private async drive(spec: RunSpec, signal?: AbortSignal): Promise<RunOutcome> {
    const { child } = this;
    const stdin = child.stdin!;
    stdin.on('error', () => undefined); // a program that never reads its input is not our failure
    stdin.end(spec.stdin);
    const stdout = collect(child.stdout!, spec.outputBytes);
    const stderr = collect(child.stderr!, spec.outputBytes);

    // SIGTERM: the launcher kills the run, removes the cgroup and exits; SIGKILL only if it hangs.
    const stop = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', stop, { once: true });
    const watchdog = setTimeout(() => child.kill('SIGKILL'), spec.wallTimeMs + WATCHDOG_GRACE_MS);
    try {
      const [line, exit] = await Promise.all([this.report.next(), this.exited]);
      if (signal?.aborted) throw new SandboxError(`run aborted: ${String(signal.reason ?? 'aborted')}`);
      if (exit.code === LAUNCHER_EXIT.usage) throw new SandboxError('launcher refused its arguments', { stderrTail: this.stderrTail().toString() });
      if (line === null) {
        throw new SandboxError(`launcher ended without a report (exit ${exit.code ?? exit.signal})`, { stderrTail: this.stderrTail().toString() });
      }
      const report = parseReport(line); // throws on the launcher's own error
      if (exit.code !== LAUNCHER_EXIT.ok) throw new SandboxError(`launcher exited ${exit.code ?? exit.signal} after a valid report`);
      return { report, stdout: stdout(), stderr: stderr() };
    } finally {
      clearTimeout(watchdog);
      signal?.removeEventListener('abort', stop);
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
export async function stopLeftoverLaunchers(launcherPath: string, dir: string, graceMs = 5_000): Promise<number> {
  const find = async () => {
    const found = new Map<number, number>(); // pid → parent pid
    for (const name of await readdir('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const argv = (await readFile(`/proc/${name}/cmdline`, 'utf8')).split('\0');
        if (argv[0] !== launcherPath || !argv.includes(`--workspace=${dir}`)) continue;
        const stat = await readFile(`/proc/${name}/stat`, 'utf8');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (state !== 'Z') found.set(Number(name), Number(ppid));
      } catch {
        // gone meanwhile
      }
    }
    // The sandbox's init is a clone of its launcher (same command line): signal the launcher only.
    return [...found].filter(([, ppid]) => !found.has(ppid)).map(([pid]) => pid);
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
  let alive = leftovers;
  while ((alive = (await find()).filter((p) => leftovers.includes(p))).length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  signal(alive, 'SIGKILL');
  return leftovers.length;
}

function helper(launcherPath: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(launcherPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: {} });
    const err = collect(child.stderr!, STDERR_TAIL_BYTES);
    child.once('error', (e) => reject(new SandboxError(`cannot run ${launcherPath}`, { cause: e })));
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new SandboxError(`launcher ${args[0]} failed (exit ${code})`, { stderrTail: err().toString() })),
    );
  });
}
