/**
 * What a sandbox may leave on the host, read from the kernel's own views: processes of the
 * sandbox uids (/proc), cgroups under runbox's parent, host mounts, and box directories.
 * Security and fault tests assert all of them after every hostile program.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { CgroupInfo, CgroupSweep } from '@runbox/contract';
import { parseCgroupInfo, parseCgroupSweep } from '../../apps/worker/src/sandbox/cgroups';

export interface SandboxHost {
  /** The launcher binary: a prepared sandbox's program process runs it, unprivileged, until its job's go. */
  launcherPath: string;
  uidBase: number;
  slots: number;
  workspaceDir: string;
  cgroupParent: string;
  /** The pid whose mount namespace holds the slots' workspaces: a rootless worker's own namespace (the host's when absent). */
  mountView?: number;
}

export interface HostState {
  /** Processes of the sandbox uids other than prepared sandboxes waiting for their run. */
  sandboxProcesses: string[];
  /** Prepared sandboxes' program processes (still the launcher, before exec). */
  prepared: number;
  runCgroups: string[];
  boxes: string[];
  mounts: number;
}

function uidOf(pid: string): number | null {
  try {
    const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[2]) : null;
  } catch {
    return null; // gone meanwhile
  }
}

function cmdline(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '?';
  }
}

const layouts = new Map<string, CgroupInfo>();

/** Where the launcher makes runs' cgroups under `h`'s parent (asked once per parent: it does not change). */
export function cgroupLayout(h: Pick<SandboxHost, 'launcherPath' | 'cgroupParent'>): CgroupInfo {
  const key = `${h.launcherPath}\0${h.cgroupParent}`;
  let info = layouts.get(key);
  if (!info) {
    info = parseCgroupInfo(execFileSync(h.launcherPath, ['--cgroup-info', `--cgroup-parent=${h.cgroupParent}`], { encoding: 'utf8' }));
    layouts.set(key, info);
  }
  return info;
}

/** The launcher's sweep of `h`'s parent; with `removeParent` the parent's folders go too (a stack that is done with them). */
export function sweepCgroups(h: Pick<SandboxHost, 'launcherPath' | 'cgroupParent'>, removeParent = false): CgroupSweep {
  const args = ['--cgroup-sweep', `--cgroup-parent=${h.cgroupParent}`, ...(removeParent ? ['--remove-parent'] : [])];
  return parseCgroupSweep(execFileSync(h.launcherPath, args, { encoding: 'utf8' }));
}

/** Cgroups of runs (not of the runbox parent itself) in every hierarchy runbox uses. */
function runCgroups(h: SandboxHost): string[] {
  const layout = cgroupLayout(h);
  const [prefix] = layout.runGroup.split('{');
  return layout.hierarchies.flatMap(({ path: r }) => {
    try {
      return readdirSync(r, { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name.startsWith(prefix!))
        .map((d) => join(r, d.name));
    } catch {
      return [];
    }
  });
}

function exeOf(pid: string): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '?';
  }
}

export function hostState(h: SandboxHost): HostState {
  const ofSandboxUids = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      const uid = uidOf(p);
      return uid !== null && uid >= h.uidBase && uid < h.uidBase + h.slots;
    });
  // The launcher binary is not visible inside a sandbox, so no program can become it.
  const isPrepared = (p: string) => exeOf(p) === h.launcherPath;
  const sandboxProcesses = ofSandboxUids.filter((p) => !isPrepared(p)).map((p) => `${p}: ${cmdline(p)}`);
  const prepared = ofSandboxUids.filter(isPrepared).length;
  const workspaces = h.mountView ? `/proc/${h.mountView}/root${h.workspaceDir}` : h.workspaceDir;
  const boxes = existsSync(workspaces)
    ? readdirSync(workspaces).flatMap((slot) => {
        try {
          return readdirSync(join(workspaces, slot)).map((b) => join(slot, b));
        } catch {
          return [];
        }
      })
    : [];
  // Other runbox instances on this host (a developer's `npm start`, other test stacks) mount and
  // unmount their own slot workspaces meanwhile: those are not ours to count.
  const mounts = readFileSync(`/proc/${h.mountView ?? 'self'}/mountinfo`, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => {
      const f = l.split(' ');
      const source = f[f.indexOf('-') + 2];
      return !(source === 'runbox-ws' && !f[4]!.startsWith(`${h.workspaceDir}/`));
    }).length;
  return { sandboxProcesses, prepared, runCgroups: runCgroups(h), boxes, mounts };
}

/**
 * Waits (briefly: teardown is asynchronous only by milliseconds) until nothing of finished runs
 * remains: no sandbox process, no box, no mount beyond the baseline, and no more run cgroups
 * than the prepared sandboxes waiting for their jobs (one per slot).
 */
export async function expectCleanHost(h: SandboxHost, baselineMounts: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // a run has a directory in each hierarchy (v1: one per controller) for each prepared sandbox
  const maxRunCgroups = h.slots * cgroupLayout(h).hierarchies.length;
  let s = hostState(h);
  const clean = () =>
    s.sandboxProcesses.length === 0 &&
    s.prepared <= h.slots &&
    s.boxes.length === 0 &&
    s.mounts <= baselineMounts &&
    s.runCgroups.length <= maxRunCgroups;
  while (!clean() && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    s = hostState(h);
  }
  expect(s.sandboxProcesses).toEqual([]);
  expect(s.prepared).toBeLessThanOrEqual(h.slots);
  expect(s.boxes).toEqual([]);
  expect(s.mounts).toBeLessThanOrEqual(baselineMounts);
  expect(s.runCgroups.length).toBeLessThanOrEqual(maxRunCgroups);
}
