/**
 * Grading: compile once, many tests, checkers, scores — through the real stack.
 */
import request from 'supertest';
import { runJob } from '../support/jobs';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(180_000);

describe('grading with tests and checkers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: true });
  });
  afterAll(() => stack?.stop());

  const grade = async (body: object) => (await runJob(stack.http, body)).result;

  it('compiles once and judges 20 tests with a float checker and a score', async () => {
    // Prints 1/n for each n; test 7 expects a wrong value, test 13 gets an n that makes it crash.
    const source =
      '#include <stdio.h>\n#include <stdlib.h>\nint main(){int n; scanf("%d",&n); if(n==0) abort(); printf("%.9f\\n", 1.0/n);}';
    const tests = Array.from({ length: 20 }, (_, i) => {
      const n = i + 1;
      return {
        name: `n=${n}`,
        stdin: i === 12 ? '0\n' : `${n}\n`,
        expectedOutput: i === 6 ? '0.5\n' : `${(1 / n).toFixed(7)}\n`,
        points: 5,
      };
    });
    const result = await grade({ language: 'c', source, tests, checker: { type: 'float', absoluteTolerance: 1e-6 } });
    expect(result.compile.verdict).toBe('ok');
    expect(result.tests).toHaveLength(20);
    expect(result.tests[0]).toMatchObject({ name: 'n=1', verdict: 'ok', points: 5 });
    expect(result.tests[6]).toMatchObject({ verdict: 'wrong_answer', points: 0, expectedOutput: '0.5\n' });
    expect(result.tests[12]).toMatchObject({ verdict: 'runtime_error', points: 0 });
    expect(result.tests[12].run.signal).toBe('SIGABRT');
    expect(result.tests.filter((t: { verdict: string }) => t.verdict === 'ok')).toHaveLength(18);
    expect(result.verdict).toBe('wrong_answer'); // the first failing test's verdict, in order
    expect(result.score).toEqual({ points: 90, maxPoints: 100 });
  });

  it.each([
    ['exact', 'print("a ")', 'a \n', 'a\n'],
    ['lines', 'print("a  \\nb\\n\\n")', 'a\nb\n', 'a\nc\n'],
    ['tokens', 'print("1   2\\n 3")', '1 2 3', '1 2 4'],
  ])('checker %s accepts the right output and rejects a wrong one', async (type, source, good, bad) => {
    const result = await grade({
      language: 'python',
      source,
      checker: { type },
      tests: [{ expectedOutput: good }, { expectedOutput: bad }],
    });
    expect(result.tests.map((t: { verdict: string }) => t.verdict)).toEqual(['ok', 'wrong_answer']);
    expect(result.tests[1].message).toBeTruthy();
  });

  it('stopOnFirstFailure stops after the first failing test; otherwise limits in one test do not stop the rest', async () => {
    const source = 'n = int(input())\nif n == 2:\n    while True: pass\nprint(n)';
    const tests = [1, 2, 3].map((n) => ({ stdin: `${n}\n`, expectedOutput: `${n}\n`, points: 1 }));
    const all = await grade({ language: 'python', source, tests, limits: { cpuTimeMs: 300 } });
    expect(all.tests.map((t: { verdict: string }) => t.verdict)).toEqual(['ok', 'time_limit', 'ok']);
    expect(all.score).toEqual({ points: 2, maxPoints: 3 });
    const stopped = await grade({ language: 'python', source, tests, limits: { cpuTimeMs: 300 }, stopOnFirstFailure: true });
    expect(stopped.tests.map((t: { verdict: string }) => t.verdict)).toEqual(['ok', 'time_limit']);
    expect(stopped.verdict).toBe('time_limit');
  });

  it('a custom checker (testlib argument order) judges by exit code and shows its message', async () => {
    const checker = {
      type: 'custom',
      language: 'python',
      source: [
        'import sys',
        'inp, out, ans = (open(p).read().split() for p in sys.argv[1:4])',
        'if sorted(out) == sorted(ans):',
        '    print("same multiset")',
        '    sys.exit(0)',
        'print("expected", ans, "got", out)',
        'sys.exit(1)',
      ].join('\n'),
    };
    const result = await grade({
      language: 'bash',
      source: 'read a b; echo "$b $a"',
      checker,
      tests: [
        { stdin: '1 2\n', expectedOutput: '1 2\n' },
        { stdin: '1 3\n', expectedOutput: '1 2\n' },
      ],
    });
    expect(result.tests[0]).toMatchObject({ verdict: 'ok', message: 'same multiset' });
    expect(result.tests[1].verdict).toBe('wrong_answer');
    expect(result.tests[1].message).toMatch(/expected/);
  });

  it('each custom-checker call starts from the compiled checker: nothing one call leaves reaches the next', async () => {
    // A checker that plants a file, and a link where the next call's input will be written: with
    // one shared checker box the second call would find both (and root would write through it).
    const checker = {
      type: 'custom',
      language: 'python',
      source: [
        'import os, sys',
        'if os.path.exists("planted"):',
        '    print("an earlier call left its file")',
        '    sys.exit(1)',
        'open("planted", "w").write("x")',
        'for n in range(1, 4):',
        '    try: os.symlink("/etc/passwd", f"input.{n}")',
        '    except OSError: pass',
        'sys.exit(0)',
      ].join('\n'),
    };
    const result = await grade({
      language: 'bash',
      source: 'cat',
      checker,
      tests: [1, 2, 3].map((n) => ({ stdin: `${n}\n`, expectedOutput: `${n}\n` })),
    });
    expect(result.tests.map((t: { verdict: string }) => t.verdict)).toEqual(['ok', 'ok', 'ok']);
  });

  it.each([
    ['crashes', 'import os; os.abort()'],
    ['loops', 'while True: pass'],
    ['answers with an unknown code', 'import sys; sys.exit(7)'],
  ])('a custom checker that %s is confined and gives internal_error', async (_what, source) => {
    const result = await grade({
      language: 'bash',
      source: 'echo 1',
      checker: { type: 'custom', language: 'python', source },
      tests: [{ expectedOutput: '1\n' }],
    });
    expect(result.tests[0].verdict).toBe('internal_error');
    expect(result.verdict).toBe('internal_error');
  });

  it('runs every test on a fresh copy of the compiled workspace: nothing one test writes reaches the next', async () => {
    const source = [
      '#include <stdio.h>',
      'int main(){',
      '  int seen = 0; FILE *f = fopen("state", "r"); if (f) { fscanf(f, "%d", &seen); fclose(f); }',
      '  f = fopen("state", "w"); fprintf(f, "%d", seen + 1); fclose(f);',
      '  FILE *self = fopen("main", "w"); if (self) fclose(self); /* try to break the next test */',
      '  printf("%d\\n", seen); return 0; }',
    ].join('\n');
    const result = await grade({ language: 'c', source, tests: [1, 2, 3].map(() => ({ expectedOutput: '0\n' })) });
    expect(result.tests.map((t: { verdict: string; run: { stdout: string } }) => [t.verdict, t.run.stdout])).toEqual([
      ['ok', '0\n'],
      ['ok', '0\n'],
      ['ok', '0\n'],
    ]);
  });

  it("a test's program may not rewrite its inputs, as a single run's may not", async () => {
    const source = "try:\n    open(__file__, 'a').close()\n    print('rewritable')\nexcept PermissionError:\n    print('read-only')";
    const single = await request(stack.http).post('/v1/jobs?wait=true').send({ language: 'python', source });
    expect(single.body.result.run.stdout).toBe('read-only\n');
    const result = await grade({
      language: 'python',
      source,
      tests: [{ expectedOutput: 'read-only\n' }, { expectedOutput: 'read-only\n' }],
    });
    expect(result.tests.map((t: { run: { stdout: string } }) => t.run.stdout)).toEqual(['read-only\n', 'read-only\n']);
  });

  it('a compile error gives compile_error and no test runs', async () => {
    const result = await grade({ language: 'cpp', source: 'int main( {', tests: [{ expectedOutput: '1', points: 3 }] });
    expect(result.verdict).toBe('compile_error');
    expect(result.tests).toEqual([]);
    expect(result.score).toEqual({ points: 0, maxPoints: 3 });
  });
});
