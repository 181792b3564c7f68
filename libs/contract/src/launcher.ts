/**
 * What native/build/runbox-launcher reports on its report fd (native/README.md is the
 * authority). The worker's report parser checks every field against this shape.
 */

export const LAUNCHER_LIMITS = ['cpu', 'wall', 'memory', 'output'] as const;
export type LauncherLimit = (typeof LAUNCHER_LIMITS)[number];

export interface LauncherReport {
  exitCode: number | null;
  signal: string | null;
  limit: LauncherLimit | null;
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryKb: number;
  stdoutBytes: number;
  stderrBytes: number;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  processesLimitHit: boolean;
  cgroupMode: 'v1' | 'v2';
  error: string | null;
}

/** Launcher exit statuses: enum rb_exit in native/src/exit_codes.h. */
export const LAUNCHER_EXIT = { ok: 0, failed: 2, usage: 64 } as const;

/**
 * The largest request (options, environment and arguments of one run) the launcher takes, end
 * marker included: MAX_REQUEST_BYTES in native/src/args.h.
 */
export const LAUNCHER_REQUEST_BYTES = 1 << 20;
/** What a job's program arguments may take of a request at most (the rest is the launcher's options, the argv template and the environment). */
export const MAX_ARGS_REQUEST_BYTES = LAUNCHER_REQUEST_BYTES / 2;

/**
 * `runbox-launcher --cgroup-info` (native/README.md "Cgroup helpers"): where runs' cgroups go.
 * The launcher alone knows the layout; everything else asks it.
 */
export interface CgroupInfo {
  mode: 'v1' | 'v2';
  parent: string;
  /** Every folder a run gets exactly one group in (v1: one per controller), with the controllers runbox uses there. */
  hierarchies: { path: string; controllers: string[] }[];
  /** A run's group's name in each folder: `{pid}` is its launcher's pid, `{n}` a counter. */
  runGroup: string;
}

/**
 * `runbox-launcher --cgroup-adopt`: the delegated parent a worker without host root makes its
 * runs' groups in. v2: `moved` processes of the parent itself went to its `leaf`.
 */
export interface CgroupAdopted {
  mode: 'v1' | 'v2';
  parent: string;
  leaf: string;
  moved: number;
  /** What the runs' groups get (v2: the parent's subtree_control). */
  controllers: string[];
}

/** `runbox-launcher --cgroup-sweep`: what it removed, left to running launchers, and could not remove (with why). */
export interface CgroupSweep {
  removed: string[];
  kept: string[];
  failed: { path: string; reason: string }[];
}
