/**
 * For suites whose consumer of the jobs queue stands in for the run worker (a BullMQ Worker in
 * the test process: no sandbox, no launcher): the result such a consumer gives a job, a python
 * hello world's.
 */
import type { JobResult } from '@runbox/contract';

export const STAND_IN_RESULT: Readonly<JobResult> = Object.freeze<JobResult>({
  verdict: 'ok',
  compile: null,
  run: {
    exitCode: 0,
    signal: null,
    stdout: 'hi\n',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    cpuTimeMs: 1,
    wallTimeMs: 2,
    memoryKb: 3,
    verdict: 'ok',
  },
});
