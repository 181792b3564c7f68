/** For tests only (not built): finished jobs as the API returns them. */
import type { JobView, Run, TestResult } from '@runbox/contract';

export const run = (over: Partial<Run> = {}): Run => ({
  exitCode: 0,
  signal: null,
  stdout: '',
  stderr: '',
  stdoutTruncated: false,
  stderrTruncated: false,
  cpuTimeMs: 10,
  wallTimeMs: 12,
  memoryKb: 8400,
  verdict: 'ok',
  ...over,
});

const base = {
  id: '6f1c2a4e-1111-4222-8333-444455556666',
  language: 'python',
  createdAt: '2026-11-27T10:00:00.000Z',
  startedAt: '2026-11-27T10:00:00.100Z',
  finishedAt: '2026-11-27T10:00:01.350Z',
};

export const graded: JobView = {
  ...base,
  status: 'completed',
  result: {
    verdict: 'wrong_answer',
    compile: null,
    run: null,
    tests: [
      { name: '1', verdict: 'ok', points: 1, run: run({ stdout: '1\n' }) },
      { name: '2', verdict: 'wrong_answer', points: 0, run: run({ stdout: '5\n' }), expectedOutput: '4\n', message: 'line 1 differs' },
      {
        name: '3',
        verdict: 'runtime_error',
        points: 0,
        run: run({ exitCode: null, signal: 'SIGSEGV', stderr: 'Segmentation <fault> & "core"\x01', verdict: 'runtime_error' }),
      },
      {
        name: '4',
        verdict: 'time_limit',
        points: 0,
        run: run({ wallTimeMs: 2000, verdict: 'time_limit', message: 'CPU time limit' }),
        message: 'CPU time limit',
      },
    ] satisfies TestResult[],
    score: { points: 1, maxPoints: 5 },
  },
};

export const compileError: JobView = {
  ...base,
  language: 'c',
  status: 'completed',
  result: {
    verdict: 'compile_error',
    compile: run({
      exitCode: 1,
      stderr: "main.c:1:11: error: expected ';' before '}' token",
      verdict: 'runtime_error',
      message: 'compilation failed',
    }),
    run: null,
    tests: [],
    score: { points: 0, maxPoints: 2 },
  },
};

export const single: JobView = {
  ...base,
  status: 'completed',
  result: { verdict: 'ok', compile: null, run: run({ stdout: 'hello\n' }) },
};

export const failed: JobView = { ...base, status: 'failed', result: null, error: 'sandbox setup failed' };
export const cancelled: JobView = { ...base, status: 'cancelled', result: null };
