import type { LauncherReport } from '@runbox/contract';

/** A launcher report of a clean run (exit 0, nothing hit), with `r` in place of its fields. */
export const reportOf = (r: Partial<LauncherReport> = {}): LauncherReport => ({
  exitCode: 0,
  signal: null,
  limit: null,
  cpuTimeMs: 5,
  wallTimeMs: 7,
  memoryKb: 900,
  stdoutBytes: 0,
  stderrBytes: 0,
  stdoutTruncated: false,
  stderrTruncated: false,
  processesLimitHit: false,
  cgroupMode: 'v1',
  error: null,
  ...r,
});
