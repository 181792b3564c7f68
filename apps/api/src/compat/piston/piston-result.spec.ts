import type { Run } from '@runbox/contract';
import { toStage } from './piston-result';

const run = (over: Partial<Run>): Run => ({
  exitCode: 0,
  signal: null,
  stdout: 'out',
  stderr: 'err',
  stdoutTruncated: false,
  stderrTruncated: false,
  cpuTimeMs: 5,
  wallTimeMs: 7,
  memoryKb: 1000,
  verdict: 'ok',
  ...over,
});

describe('Piston stages from runbox runs', () => {
  it.each([
    ['ok', run({}), { status: null, code: 0, signal: null, message: null }],
    [
      'exit 2',
      run({ exitCode: 2, verdict: 'runtime_error' }),
      { status: 'RE', code: 2, signal: null, message: 'Exited with error status 2' },
    ],
    [
      'SIGFPE',
      run({ exitCode: null, signal: 'SIGFPE', verdict: 'runtime_error' }),
      { status: 'SG', code: null, signal: 'SIGFPE', message: 'Caught fatal signal 8' },
    ],
    [
      'CPU time',
      run({ exitCode: null, signal: 'SIGKILL', verdict: 'time_limit', message: 'CPU time limit exceeded (100 ms)' }),
      { status: 'TO', signal: 'SIGKILL', message: 'Time limit exceeded' },
    ],
    [
      'wall time',
      run({ exitCode: null, signal: null, verdict: 'time_limit', message: 'wall time limit exceeded (100 ms)' }),
      { status: 'TO', code: null, signal: 'SIGKILL', message: 'Time limit exceeded (wall clock)' },
    ],
    [
      'stdout cap',
      run({ verdict: 'output_limit', stdoutTruncated: true }),
      { status: 'OL', code: null, signal: 'SIGKILL', message: 'stdout length exceeded' },
    ],
    [
      'stderr cap',
      run({ verdict: 'output_limit', stderrTruncated: true }),
      { status: 'EL', signal: 'SIGKILL', message: 'stderr length exceeded' },
    ],
    [
      'memory',
      run({ exitCode: null, signal: 'SIGKILL', verdict: 'memory_limit', message: 'memory limit exceeded (64 MB)' }),
      { status: 'SG', signal: 'SIGKILL', message: 'memory limit exceeded (64 MB)' },
    ],
  ])('%s', (_name, r, expected) => {
    expect(toStage(r)).toMatchObject(expected);
  });

  it('keeps Piston units: ms for times, bytes for memory; output is stdout then stderr', () => {
    expect(toStage(run({}))).toMatchObject({ cpu_time: 5, wall_time: 7, memory: 1_024_000, output: 'outerr' });
  });
});
