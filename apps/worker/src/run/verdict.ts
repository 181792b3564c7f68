/**
 * From what the launcher saw to what the client reads. Pure: no I/O, fully unit-tested.
 */
import type { LauncherReport, TestResult, Verdict } from '@runbox/contract';
import { textOf, type RawRun } from './output';

const LIMIT_VERDICT = { cpu: 'time_limit', wall: 'time_limit', memory: 'memory_limit', output: 'output_limit' } as const;

/**
 * The verdict of one run, from the report alone (no expected output involved). What ended the run
 * was decided once, by the precedence table in native/src/report.c; this maps its rows 2-5 to
 * verdicts (row 1, runbox failed, never gets here: parseReport throws it).
 */
export function runVerdict(report: LauncherReport): Verdict {
  if (report.limit) return LIMIT_VERDICT[report.limit]; // rows 2-4
  if (report.signal !== null || report.exitCode !== 0) return 'runtime_error'; // row 5
  return 'ok';
}

function limitMessage(
  report: LauncherReport,
  limits: { cpuTimeMs: number; wallTimeMs: number; memoryMb: number; outputBytes: number },
): string | undefined {
  switch (report.limit) {
    case 'cpu':
      return `CPU time limit exceeded (${limits.cpuTimeMs} ms)`;
    case 'wall':
      return `wall time limit exceeded (${limits.wallTimeMs} ms)`;
    case 'memory':
      return `memory limit exceeded (${limits.memoryMb} MB)`;
    case 'output':
      return `output limit exceeded (${limits.outputBytes} bytes per stream)`;
    default:
      if (report.processesLimitHit) return 'the process limit was reached';
      return undefined;
  }
}

/** Builds the worker's run from a launcher outcome: the bytes, and their text (lossy UTF-8) for judging. */
export function toRun(
  report: LauncherReport,
  stdout: Buffer,
  stderr: Buffer,
  limits: { cpuTimeMs: number; wallTimeMs: number; memoryMb: number; outputBytes: number },
): RawRun {
  const stdoutTruncated = report.stdoutTruncated || report.stdoutBytes > stdout.length;
  const stderrTruncated = report.stderrTruncated || report.stderrBytes > stderr.length;
  const run: RawRun = {
    exitCode: report.exitCode,
    signal: report.signal,
    stdout: textOf(stdout, stdoutTruncated),
    stderr: textOf(stderr, stderrTruncated),
    stdoutTruncated,
    stderrTruncated,
    cpuTimeMs: report.cpuTimeMs,
    wallTimeMs: report.wallTimeMs,
    memoryKb: report.memoryKb,
    verdict: runVerdict(report),
    raw: { stdout, stderr },
  };
  const message = limitMessage(report, limits);
  if (message) run.message = message;
  return run;
}

/** The job's verdict: the first test's verdict that is not `ok`, in order, else `ok`. */
export function overallVerdict(tests: readonly Pick<TestResult, 'verdict'>[]): Verdict {
  return tests.find((t) => t.verdict !== 'ok')?.verdict ?? 'ok';
}
