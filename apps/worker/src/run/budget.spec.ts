import type { Run } from '@runbox/contract';
import { JobBudget } from './budget';

const run = (stdout: string, stderr = '', wallTimeMs = 10): Run => ({
  exitCode: 0,
  signal: null,
  stdout,
  stderr,
  stdoutTruncated: false,
  stderrTruncated: false,
  cpuTimeMs: 1,
  wallTimeMs,
  memoryKb: 1,
  verdict: 'ok',
});

describe('JobBudget', () => {
  it('keeps whole runs while the output budget lasts, then cuts and flags each stream', () => {
    const b = new JobBudget(10, 1000);
    expect(b.keep(run('abcd', 'ef'))).toEqual(run('abcd', 'ef'));
    expect(b.outputSpent).toBe(false);
    const cut = b.keep(run('ghijk', 'lmn'));
    expect(cut).toMatchObject({ stdout: 'ghij', stderr: '', stdoutTruncated: true, stderrTruncated: true, verdict: 'ok' });
    expect(b.keep(run('x'))).toMatchObject({ stdout: '', stdoutTruncated: true, stderrTruncated: false });
    expect(b.outputSpent).toBe(true);
  });

  it('cuts at a character boundary, never inside a UTF-8 sequence', () => {
    const b = new JobBudget(4, 1000); // 'ab€' is 5 bytes (€ takes 3): 4 would end inside the €
    expect(b.keep(run('ab€'))).toMatchObject({ stdout: 'ab', stdoutTruncated: true });
  });

  it('caps each wall limit at what is left of the job time and says when it is spent', () => {
    const b = new JobBudget(0, 1000);
    expect(b.wallTimeMs(5000)).toBe(1000);
    b.charge(run('', '', 700));
    expect(b.timeSpent).toBe(false);
    expect(b.wallTimeMs(5000)).toBe(300);
    expect(b.wallTimeMs(200)).toBe(200);
    b.charge(run('', '', 300));
    expect(b.timeSpent).toBe(true);
    expect(b.wallTimeMs(5000)).toBe(1);
  });
});
