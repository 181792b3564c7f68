/**
 * Interactive problems (`interactor`): the program and the interactor run at once, each in its
 * own sandbox, wired by two pipes, through the real stack (Redis, API, worker, launcher).
 */
import request from 'supertest';
import { bodies } from '../support/bodies';
import { expectCleanHost, hostState } from '../support/host-state';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(180_000);

/**
 * A guessing game in testlib's convention: `interactor input output answer`. The input holds the
 * range, the answer the secret; the program asks `? x` and hears `<`, `>` or `=`, at most 20 times.
 * What it prints to stderr becomes the test's message.
 */
const GUESS_INTERACTOR = [
  'import sys',
  'lo, hi = map(int, open(sys.argv[1]).read().split())',
  'secret = int(open(sys.argv[3]).read())',
  'print(lo, hi, flush=True)',
  'for q in range(1, 21):',
  '    line = sys.stdin.readline(64)',
  '    if not line:',
  '        print("the program ended its output after", q - 1, "queries", file=sys.stderr); sys.exit(1)',
  '    parts = line.split()',
  '    if len(parts) != 2 or parts[0] != "?" or not parts[1].lstrip("-").isdigit():',
  '        print("not a query:", repr(line[:20]), file=sys.stderr); sys.exit(2)',
  '    x = int(parts[1])',
  '    if x == secret:',
  '        print("=", flush=True); print("found in", q, "queries", file=sys.stderr); sys.exit(0)',
  '    print("<" if secret < x else ">", flush=True)',
  'print("more than 20 queries", file=sys.stderr); sys.exit(1)',
].join('\n');

/** Binary search, in C: at most ⌈log2(10^6)⌉ = 20 queries. */
const BINARY_SEARCH = `#include <stdio.h>
int main(void) {
  long lo, hi; char r[4];
  if (scanf("%ld %ld", &lo, &hi) != 2) return 1;
  while (lo <= hi) {
    long mid = lo + (hi - lo) / 2;
    printf("? %ld\\n", mid); fflush(stdout);
    if (scanf("%3s", r) != 1) return 1;
    if (r[0] == '=') return 0;
    if (r[0] == '<') hi = mid - 1; else lo = mid + 1;
  }
  return 0;
}`;

/** Counting up from the bottom: correct, but far more than 20 queries. */
const LINEAR_SEARCH =
  'lo, hi = map(int, input().split())\nfor x in range(lo, hi + 1):\n    print("?", x, flush=True)\n    if input() == "=": break';

const guessTests = [1, 999_999, 424_242, 1_000_000].map((secret) => ({
  name: `secret ${secret}`,
  stdin: '1 1000000\n',
  expectedOutput: `${secret}\n`,
  points: 1,
}));

describe('interactive problems', () => {
  let stack: Stack;
  let baselineMounts: number;
  beforeAll(async () => {
    stack = await startStack({ worker: true });
    await new Promise((r) => setTimeout(r, 500)); // the prepared sandboxes settle
    baselineMounts = hostState(stack.sandboxHost).mounts;
  });
  afterAll(() => stack?.stop());

  const grade = async (body: object) => {
    const res = await request(stack.http).post('/v1/jobs?wait=true').send(body);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('completed');
    return res.body.result;
  };
  const interactor = (source: string, limits?: object) => ({ language: 'python', source, ...(limits ? { limits } : {}) });

  it('a binary search in C wins the guessing game in at most 20 queries; a linear search does not', async () => {
    const won = await grade({ language: 'c', source: BINARY_SEARCH, tests: guessTests, interactor: interactor(GUESS_INTERACTOR) });
    expect(won.compile.verdict).toBe('ok');
    expect(won.tests.map((t: { verdict: string }) => t.verdict)).toEqual(['ok', 'ok', 'ok', 'ok']);
    for (const t of won.tests) {
      const queries = Number(/^found in (\d+) queries$/.exec(t.message)?.[1]);
      expect(queries).toBeGreaterThan(0);
      expect(queries).toBeLessThanOrEqual(20);
      // The program's stdout went to the interactor, not into the result.
      expect(t.run).toMatchObject({ exitCode: 0, stdout: '', verdict: 'ok' });
    }
    expect(won.score).toEqual({ points: 4, maxPoints: 4 });
    expect(won.verdict).toBe('ok');

    const lost = await grade({
      language: 'python',
      source: LINEAR_SEARCH,
      tests: guessTests.slice(0, 2),
      interactor: interactor(GUESS_INTERACTOR),
    });
    expect(lost.tests[0]).toMatchObject({ verdict: 'ok', message: 'found in 1 queries' });
    expect(lost.tests[1]).toMatchObject({ verdict: 'wrong_answer', message: 'more than 20 queries' });
    expect(lost.score).toEqual({ points: 1, maxPoints: 2 });
  });

  // One case per line: the program, the interactor (default: the guessing game), the verdict and
  // what the message or the run must say.
  // prettier-ignore
  const cases: [string, string, string | null, object | undefined, string, RegExp | null][] = [
    // A deadlock: the program waits for input it never gets, the interactor for a query.
    ['a program that never answers ends at its wall limit with time_limit',
      'import time\ninput()\ntime.sleep(60)', null, undefined, 'time_limit', /wall time limit exceeded \(1500 ms\)/],
    ['a program that floods the interactor gets its wrong answer',
      'import sys\nwhile True: sys.stdout.write("?" * 65536)', null, undefined, 'wrong_answer', /presentation error: not a query/],
    ['a program that closes its stdout early: the interactor sees EOF while the program still runs',
      'import os, time\ninput()\nos.close(1)\ntime.sleep(1)\nos._exit(0)',
      'import sys, time\nprint("1 10", flush=True)\nt = time.monotonic()\nline = sys.stdin.readline()\nprint("eof" if not line else "line", round(time.monotonic() - t, 2), file=sys.stderr)\nsys.exit(1)',
      undefined, 'wrong_answer', /^eof 0\.[0-9]+$/],
    ['an interactor that crashes is an internal error',
      'input()\nprint("? 1", flush=True)\ninput()', 'import os\nprint("1 10", flush=True)\ninput()\nos.abort()', undefined, 'internal_error', /interactor failed \(killed by SIGABRT\)/],
    ['an interactor that exits 3 is an internal error, with what it said',
      'input()', 'import sys\nprint("bad test data", file=sys.stderr)\nsys.exit(3)', undefined, 'internal_error', /exit 3.*bad test data/],
    ['an interactor over its own CPU limit is an internal error',
      'try:\n    input()\nexcept EOFError:\n    pass', 'while True: pass', { cpuTimeMs: 300 }, 'internal_error', /interactor failed \(CPU time limit exceeded \(300 ms\)\)/],
    ['an interactor over its own memory limit is an internal error',
      'try:\n    input()\nexcept EOFError:\n    pass', 'x = b"x" * (200 * 1024 * 1024)', { memoryMb: 64 }, 'internal_error', /interactor failed \(memory limit exceeded \(64 MB\)\)/],
    ["the program's own crash comes first, whatever the interactor says",
      'import os\ninput()\nos.kill(os.getpid(), 11)', null, undefined, 'runtime_error', /SIGSEGV/],
  ];

  it.each(cases)('%s', async (_name, program, inter, interLimits, verdict, message) => {
    const result = await grade({
      language: 'python',
      source: program,
      limits: { wallTimeMs: 1500 },
      tests: [guessTests[2]],
      interactor: interactor(inter ?? GUESS_INTERACTOR, interLimits),
    });
    const test = result.tests[0];
    expect(test.verdict).toBe(verdict);
    if (message) expect(test.message).toMatch(message);
    await expectCleanHost(stack.sandboxHost, baselineMounts);
  });

  it('the two sandboxes share nothing but the pipes: not the box, not the processes', async () => {
    // The program leaves a file in its box and stays alive; the interactor looks for it and for
    // any process but its own.
    const result = await grade({
      language: 'python',
      source: 'import time\nopen("mine.txt", "w").write("x")\nprint("ready", flush=True)\ninput()',
      tests: [{ stdin: 'the input\n', expectedOutput: 'the answer\n' }],
      interactor: interactor(
        [
          'import os, sys',
          'ready = sys.stdin.readline().strip()',
          'pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())',
          'names = sorted(os.listdir("/box"))',
          'args = [open(a).read().strip() if os.path.exists(a) else "-" for a in sys.argv[1:]]',
          'print(ready, names, pids, args, file=sys.stderr)',
          'print("bye", flush=True)',
        ].join('\n'),
      ),
    });
    const test = result.tests[0];
    expect(test.verdict).toBe('ok');
    // pid 1 is the interactor's own init, 2 the interactor; no program file in its box.
    expect(test.message).toBe("ready ['answer.txt', 'input.txt', 'main.py'] [1, 2] ['the input', '-', 'the answer']");
  });

  describe('bad requests', () => {
    const post = (body: object) => request(stack.http).post('/v1/jobs').send(body);
    const base = { language: 'python', source: 'pass', tests: [{}] };

    it.each([
      ['an interactor without tests', { language: 'python', source: 'pass', interactor: interactor('pass') }, 'interactor', 'needsTests'],
      [
        'an interactor with a checker',
        { ...base, checker: { type: 'exact' }, interactor: interactor('pass') },
        'checker',
        'notWithInteractor',
      ],
      [
        'an interactor file named like a test file',
        { ...base, interactor: { language: 'python', files: [{ path: 'input.txt', content: '' }] } },
        'interactor.files[0].path',
        'reserved',
      ],
    ])('422 for %s', async (_what, body, field, rule) => {
      const res = await post(body);
      expect(res.status).toBe(422);
      expect(res.body).toEqual(bodies.unprocessable(field, rule));
    });

    it('422 for an interactor in an unknown language', async () => {
      const res = await post({ ...base, interactor: { language: 'cobol', source: 'x' } });
      expect(res.status).toBe(422);
      expect(res.body).toEqual(bodies.unknownLanguage('interactor.language'));
    });

    it('422 for an interactor limit above the server maximum', async () => {
      const res = await post({ ...base, interactor: interactor('pass', { memoryMb: 10 ** 6 }) });
      expect(res.status).toBe(422);
      expect(res.body).toEqual(bodies.limitAboveMaximum('interactor.limits.memoryMb', stack.config.limits.maxima.memoryMb));
    });

    // Shape errors are the DTO's, as for the job's own program: 400.
    it.each([
      [
        'both source and files',
        { language: 'python', source: 'x', files: [{ path: 'i.py', content: 'x' }] },
        'interactor.source',
        'exactlyOneOf',
      ],
      ['neither source nor files', { language: 'python' }, 'interactor.source', 'exactlyOneOf'],
      ['no language', { source: 'x' }, 'interactor.language', 'isDefined'],
      ['an unknown field', { language: 'python', source: 'x', stdin: 'x' }, 'interactor.stdin', 'unknownField'],
      ['a limit below the minimum', { language: 'python', source: 'x', limits: { cpuTimeMs: 0 } }, 'interactor.limits.cpuTimeMs', 'min'],
    ])('400 for %s', async (_what, inter, field, rule) => {
      const res = await post({ ...base, interactor: inter });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(bodies.invalid(field, rule));
    });
  });
});
