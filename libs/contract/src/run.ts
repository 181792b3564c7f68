/**
 * One sandboxed run: its limits, its verdict and what it produced. Plain data, no framework:
 * the API's DTOs implement these types, the worker produces them, the tests assert on them.
 */

export const VERDICTS = [
  'ok',
  'wrong_answer',
  'compile_error',
  'runtime_error',
  'time_limit',
  'memory_limit',
  'output_limit',
  'internal_error',
] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Limits of one run. The unit is part of every name. */
export interface RunLimits {
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryMb: number;
  processes: number;
  outputBytes: number;
}

export const LIMIT_FIELDS = ['cpuTimeMs', 'wallTimeMs', 'memoryMb', 'processes', 'outputBytes'] as const;
export type LimitField = (typeof LIMIT_FIELDS)[number];

/** What one run of a program (or of the compiler) did. */
export interface Run {
  exitCode: number | null;
  /** Name of the signal that ended the program (`"SIGSEGV"`), when one did. */
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryKb: number;
  verdict: Verdict;
  /** Extra words for the client: which limit ended it, a checker's message. */
  message?: string;
}
