import type { LauncherReport } from '@runbox/contract';
import { reportOf } from '../sandbox/report.test-helper';
import { overallVerdict, runVerdict, toRun } from './verdict';

const report = reportOf;
const limits = { cpuTimeMs: 1000, wallTimeMs: 3000, memoryMb: 64, outputBytes: 10 };

describe('runVerdict', () => {
  it.each([
    [{}, 'ok'],
    [{ exitCode: 3 }, 'runtime_error'],
    [{ exitCode: null, signal: 'SIGSEGV' }, 'runtime_error'],
    [{ exitCode: null, signal: 'SIGKILL', limit: 'cpu' }, 'time_limit'],
    [{ exitCode: null, signal: 'SIGKILL', limit: 'wall' }, 'time_limit'],
    [{ exitCode: null, signal: 'SIGKILL', limit: 'memory' }, 'memory_limit'],
    [{ exitCode: null, signal: 'SIGKILL', limit: 'output' }, 'output_limit'],
  ] as [Partial<LauncherReport>, string][])('%j → %s', (r, verdict) => {
    expect(runVerdict(report(r))).toBe(verdict);
  });
});

describe('toRun', () => {
  it('copies the accounting and says which limit ended the run', () => {
    const run = toRun(
      report({ exitCode: null, signal: 'SIGKILL', limit: 'memory', memoryKb: 65536 }),
      Buffer.from('a'),
      Buffer.alloc(0),
      limits,
    );
    expect(run).toMatchObject({
      verdict: 'memory_limit',
      signal: 'SIGKILL',
      memoryKb: 65536,
      stdout: 'a',
      message: 'memory limit exceeded (64 MB)',
    });
  });

  it('flags truncation when the program wrote more than was kept, whatever the flag says', () => {
    const run = toRun(report({ stdoutBytes: 50, stdoutTruncated: false }), Buffer.from('0123456789'), Buffer.alloc(0), limits);
    expect(run.stdoutTruncated).toBe(true);
  });
});

describe('overallVerdict', () => {
  it('is the first verdict that is not ok, in test order', () => {
    expect(overallVerdict([{ verdict: 'ok' }, { verdict: 'time_limit' }, { verdict: 'wrong_answer' }])).toBe('time_limit');
    expect(overallVerdict([{ verdict: 'ok' }, { verdict: 'ok' }])).toBe('ok');
    expect(overallVerdict([])).toBe('ok');
  });
});
