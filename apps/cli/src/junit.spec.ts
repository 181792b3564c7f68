import { cancelled, compileError, failed, graded, single } from './fixtures.test-helper';
import { checkJUnit, findAll, parseXml } from './junit-check.test-helper';
import { renderJUnit, xmlEscape } from './junit';

describe('renderJUnit', () => {
  it('renders graded tests: failures for wrong answers and limits, errors for crashes, skipped for tests not run', () => {
    const xml = renderJUnit(graded, { name: 'sol.py', testNames: ['1', '2', '3', '4', '5'], hostname: 'rb.example:3000' });
    const root = checkJUnit(xml);
    expect(root.attrs).toMatchObject({ name: 'runbox', tests: '5', failures: '2', errors: '1' });
    const [suite] = findAll(root, 'testsuite');
    expect(suite!.attrs).toMatchObject({
      name: 'runbox: sol.py',
      tests: '5',
      failures: '2',
      errors: '1',
      skipped: '1',
      timestamp: '2026-11-27T10:00:01',
      hostname: 'rb.example:3000',
    });
    const cases = findAll(root, 'testcase');
    expect(cases.map((c) => [c.attrs.name, c.attrs.classname, c.attrs.time])).toEqual([
      ['1', 'runbox.sol_py', '0.012'],
      ['2', 'runbox.sol_py', '0.012'],
      ['3', 'runbox.sol_py', '0.012'],
      ['4', 'runbox.sol_py', '2.000'],
      ['5', 'runbox.sol_py', '0.000'],
    ]);
    expect(cases[0]!.children).toEqual([]);
    const wa = cases[1]!.children[0]!;
    expect(wa).toMatchObject({ name: 'failure', attrs: { type: 'wrong_answer', message: 'wrong_answer: line 1: expected "4", got "5"' } });
    expect(wa.text).toContain('--- expected ---\n4\n');
    expect(wa.text).toContain('--- stdout ---\n5\n');
    const re = cases[2]!.children[0]!;
    expect(re).toMatchObject({ name: 'error', attrs: { type: 'runtime_error', message: 'runtime_error: killed by SIGSEGV' } });
    expect(re.text).toContain('Segmentation <fault> & "core"\uFFFD'); // escaped, and the control character replaced
    expect(cases[3]!.children[0]).toMatchObject({ name: 'failure', attrs: { type: 'time_limit', message: 'time_limit: CPU time limit' } });
    expect(cases[4]!.children[0]).toMatchObject({ name: 'skipped', attrs: { message: 'not run: stopped at the first failure' } });
    const props = Object.fromEntries(findAll(root, 'property').map((p) => [p.attrs.name, p.attrs.value]));
    expect(props).toEqual({
      'runbox.job': graded.id,
      'runbox.language': 'python',
      'runbox.status': 'completed',
      'runbox.verdict': 'wrong_answer',
      'runbox.score': '1/5',
    });
  });

  it('reports a compile error as an error of a "compile" case, the tests as skipped', () => {
    const root = checkJUnit(renderJUnit(compileError, { name: 'main.c', testNames: ['a', 'b'] }));
    const cases = findAll(root, 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual(['compile', 'a', 'b']);
    expect(cases[0]!.children[0]).toMatchObject({ name: 'error', attrs: { type: 'compile_error' } });
    expect(cases[0]!.children[0]!.text).toContain("error: expected ';'");
    expect(cases[1]!.children[0]).toMatchObject({ name: 'skipped', attrs: { message: 'not run: the program did not compile' } });
    expect(root.attrs).toMatchObject({ tests: '3', failures: '0', errors: '1' });
  });

  it('reports a job without tests as one "run" case with its output', () => {
    const root = checkJUnit(renderJUnit(single, { name: 'hello.py' }));
    const cases = findAll(root, 'testcase');
    expect(cases).toHaveLength(1);
    expect(cases[0]!.attrs.name).toBe('run');
    expect(cases[0]!.children).toEqual([expect.objectContaining({ name: 'system-out', text: 'hello\n' })]);
  });

  it.each([
    ['failed', failed, 'job failed: sandbox setup failed'],
    ['cancelled', cancelled, 'job cancelled'],
  ])('reports a %s job as an error', (_, view, message) => {
    const root = checkJUnit(renderJUnit(view, { name: 'x.py' }));
    expect(findAll(root, 'error')[0]!.attrs).toEqual({ message, type: view.status });
  });

  it('escapes what XML cannot carry as is', () => {
    expect(xmlEscape('a<b>&"\'\x00\x1b\u0007ok\r')).toBe('a&lt;b&gt;&amp;&quot;&apos;\uFFFD\uFFFD\uFFFDok&#13;');
    const xml = renderJUnit(
      { ...single, result: { ...single.result!, run: { ...single.result!.run!, stdout: ']]> <x> \uD800 &#0;' } } },
      { name: 'a"b<c>.py' },
    );
    expect(() => parseXml(xml)).not.toThrow();
    expect(findAll(parseXml(xml), 'system-out')[0]!.text).toBe(']]> <x> \uFFFD &#0;');
  });
});

describe('checkJUnit', () => {
  it.each([
    ['<?xml version="1.0" encoding="UTF-8"?><testsuite name="x" tests="0" failures="0" errors="0" time="0"/>', /root must be <testsuites>/],
    [
      '<?xml version="1.0" encoding="UTF-8"?><testsuites><testsuite tests="0" failures="0" errors="0" time="0"/></testsuites>',
      /needs a name/,
    ],
    [
      '<?xml version="1.0" encoding="UTF-8"?><testsuites><testsuite name="s" tests="1" failures="0" errors="0" time="0"><testcase name="t" time="0"/></testsuite></testsuites>',
      /needs a classname/,
    ],
    [
      '<?xml version="1.0" encoding="UTF-8"?><testsuites><testsuite name="s" tests="2" failures="0" errors="0" time="0"><testcase name="t" classname="c" time="0"/></testsuite></testsuites>',
      /tests=2 but has 1/,
    ],
    [
      '<?xml version="1.0" encoding="UTF-8"?><testsuites><testsuite name="s" tests="1" failures="0" errors="0" time="0"><testcase name="t" classname="c" time="0"><failure message="m" type="t"/></testcase></testsuite></testsuites>',
      /failures=0 but has 1/,
    ],
    [
      '<?xml version="1.0" encoding="UTF-8"?><testsuites><testsuite name="s" tests="0" failures="0" errors="0" time="0"></testsuites>',
      /closes/,
    ],
    ['<testsuites/>', /declaration/],
    ['<?xml version="1.0" encoding="UTF-8"?><testsuites>a & b</testsuites>', /entity/],
  ])('refuses a broken report (%#)', (xml, why) => {
    expect(() => checkJUnit(xml)).toThrow(why);
  });
});
