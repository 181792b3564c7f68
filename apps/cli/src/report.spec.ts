import { compileError, failed, graded, single } from './fixtures.test-helper';
import { firstDifference, formatKb, formatMs, renderReport } from './report';

describe('firstDifference', () => {
  it.each([
    ['1\n2\n', '1\n2\n', null],
    ['1\n2\n', '1\n3\n', 'line 2: expected "2", got "3"'],
    ['1\n2\n', '1\n', 'line 2: expected "2", got ""'],
    ['1\n', '1\n2\n', 'line 2: expected "", got "2"'],
    ['a', '', 'line 1: expected "a", got ""'],
    ['1\n2', '1', 'line 2: expected "2", the output ended'],
    ['1', '1\n2', 'line 2: expected the end of output, got "2"'],
  ])('%j vs %j', (expected, actual, diff) => {
    expect(firstDifference(expected, actual)).toBe(diff);
  });

  it('shortens long lines', () => {
    expect(firstDifference('x'.repeat(100), 'y')).toMatch(/^line 1: expected "x{57}\.\.\.", got "y"$/);
  });
});

describe('renderReport', () => {
  it('lists each test with verdict, time, memory and what went wrong', () => {
    const text = renderReport(graded, undefined, ['5']);
    expect(text).toContain(`job ${graded.id} (python) completed in 1.25 s: wrong_answer, score 1/5`);
    expect(text).toMatch(/✓ 1 +ok +12 ms +8\.2 MB/);
    expect(text).toMatch(/✗ 2 +wrong_answer +12 ms +8\.2 MB +line 1: expected "4", got "5"/);
    expect(text).toMatch(/✗ 3 +runtime_error .* killed by SIGSEGV/);
    expect(text).toMatch(/✗ 4 +time_limit +2\.00 s .* CPU time limit/);
    expect(text).toContain('not run: 5');
  });

  it('shows the compiler output of a compile error', () => {
    const text = renderReport(compileError);
    expect(text).toContain('compile_error, score 0/2');
    expect(text).toContain('compile: runtime_error');
    expect(text).toContain("    main.c:1:11: error: expected ';' before '}' token");
  });

  it('shows the output of a job without tests', () => {
    expect(renderReport(single)).toContain('run: ok, exit code 0, 12 ms wall, 10 ms CPU, 8.2 MB\n--- stdout ---\nhello\n');
  });

  it('says why a job did not complete', () => {
    expect(renderReport(failed)).toBe(`job ${failed.id} failed: sandbox setup failed\n`);
  });

  it('formats units', () => {
    expect([formatMs(5), formatMs(999), formatMs(1234)]).toEqual(['5 ms', '999 ms', '1.23 s']);
    expect([formatKb(512), formatKb(2048)]).toEqual(['512 KB', '2.0 MB']);
  });
});
