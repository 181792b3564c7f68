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

/** Launcher exit statuses. */
export const LAUNCHER_EXIT = { ok: 0, failed: 2, usage: 64 } as const;
