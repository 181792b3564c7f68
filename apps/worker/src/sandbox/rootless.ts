/**
 * A worker without host root (SANDBOX_MODE=rootless; README "Rootless worker"). Before anything
 * else the worker runs itself again inside a user and mount namespace of its own
 * (`runbox-launcher --enter-userns`): there it is root of its namespace, owning only the ids it was
 * given (its own, as 0, and its subordinate ranges, each as itself), so its usual steps (the slots'
 * tmpfs workspaces, a box's owner, its removal, the launchers) work unchanged and reach nothing
 * of the host that those ids cannot. Then it checks what the mode needs, in the order an operator
 * fixes it, and says what is missing: each slot's ids mapped, and a cgroup parent delegated to it
 * (`--cgroup-adopt`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { CgroupAdopted } from '@runbox/contract';
import type { Config } from '@runbox/config';
import { parseCgroupAdopted } from './cgroups';

const CAP_SYS_ADMIN = 21n;

/** What keeps a rootless worker from starting, said so that an operator can fix it. */
export class RootlessError extends Error {
  constructor(problem: string) {
    super(`runbox worker (rootless): ${problem}`);
    this.name = 'RootlessError';
  }
}

/** Effective capabilities of this process in its own user namespace. */
function effectiveCaps(status = readFileSync('/proc/self/status', 'utf8')): bigint {
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return hex ? BigInt(`0x${hex}`) : 0n;
}

/**
 * Whether the worker must first enter a namespace of its own: a rootless worker that is not root,
 * or is root without CAP_SYS_ADMIN (a pod's root in `hostUsers: false`: it cannot mount).
 */
export function needsOwnNamespace(config: Config, uid = process.getuid?.() ?? 0, caps = effectiveCaps): boolean {
  if (config.worker.sandboxMode !== 'rootless') return false;
  return uid !== 0 || (caps() & (1n << CAP_SYS_ADMIN)) === 0n;
}

/**
 * Runs this worker again as root of a user namespace of its own and lives on only as its
 * parent: signals are passed on, and its exit is this process's exit.
 */
export function enterOwnNamespace(launcherPath: string): void {
  const child = spawn(launcherPath, ['--enter-userns', '--', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
  child.on('error', (e) => {
    console.error(`runbox worker: cannot start ${launcherPath} --enter-userns: ${e.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0)));
}

/** Ranges `[first, first + count)` of ids this namespace has (the inside column of a map). */
export function mappedRanges(map: string): [number, number][] {
  return map
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every(Number.isFinite))
    .map(([inside, , count]) => [inside!, inside! + count!]);
}

/** The problem with the slots' ids in this namespace's maps, or null when every one is there. */
export function slotIdsProblem(w: Pick<Config['worker'], 'uidBase' | 'slots'>, uidMap: string, gidMap: string): string | null {
  const first = w.uidBase;
  const last = w.uidBase + w.slots - 1;
  for (const [what, map, file] of [
    ['uids', uidMap, '/etc/subuid'],
    ['gids', gidMap, '/etc/subgid'],
  ] as const) {
    const ranges = mappedRanges(map);
    if (!ranges.some(([a, b]) => first >= a && last < b)) {
      const have = ranges.filter(([a]) => a !== 0).map(([a, b]) => `${a}-${b - 1}`);
      return (
        `the slots' ${what} ${first}-${last} (WORKER_UID_BASE + slot) are not in the worker user's subordinate range ` +
        `(${file}: ${have.length ? have.join(', ') : 'none'}): set WORKER_UID_BASE inside it, or add a range`
      );
    }
  }
  return null;
}

/**
 * The checks of a rootless worker inside its namespace, then the cgroup parent adopted. Throws
 * a RootlessError that says what to fix.
 */
export function prepareRootless(config: Config): CgroupAdopted {
  const w = config.worker;
  const problem = slotIdsProblem(w, readFileSync('/proc/self/uid_map', 'utf8'), readFileSync('/proc/self/gid_map', 'utf8'));
  if (problem) throw new RootlessError(problem);
  let out: string;
  try {
    out = execFileSync(w.launcherPath, ['--cgroup-adopt', `--cgroup-parent=${w.cgroupParent}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const stderr = ((e as { stderr?: string }).stderr ?? '').trim() || (e as Error).message;
    throw new RootlessError(`the cgroup parent ${w.cgroupParent} cannot be used: ${stderr.replace(/^runbox-launcher: /, '')}`);
  }
  return parseCgroupAdopted(out.trim());
}

/** What a rootless worker says at start: where its runs go, and what they will lack. */
export function describeAdopted(a: CgroupAdopted): string[] {
  const lines = [
    `runbox worker (rootless): cgroup ${a.mode} parent ${a.parent}` +
      (a.leaf ? ` (${a.moved} process${a.moved === 1 ? '' : 'es'} moved to its leaf ${a.leaf})` : '') +
      `, runs get ${a.controllers.join(' ') || 'no controller'}`,
  ];
  if (a.mode === 'v2' && !a.controllers.includes('cpuset'))
    lines.push('runbox worker (rootless): no cpuset controller delegated: runs are not pinned to CPUs');
  return lines;
}
