/**
 * The CLI as CI runs it: the built apps/cli/dist/main.js as a child process against the real
 * stack (API, worker, launcher). Checks the exit code of every verdict, the readable output,
 * --json, and that the JUnit file has the elements the JUnit schema requires.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { JobView } from '@runbox/contract';
import { checkJUnit, findAll } from '../../apps/cli/src/junit-check.test-helper';
import { freePort } from '../support/redis';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(180_000);

const CLI = resolve(__dirname, '../../apps/cli/dist/main.js');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runbox(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<Outcome> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, cwd, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? null) : 0;
        done({ code: typeof code === 'number' ? code : null, stdout, stderr });
      },
    );
  });
}

describe('runbox CLI against the real stack', () => {
  let stack: Stack;
  let url: string;
  let dir: string;
  const file = (path: string, content: string) => {
    const p = join(dir, path);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, content);
    return p;
  };
  const run = (args: string[]) => runbox(['run', ...args], { RUNBOX_URL: url });

  beforeAll(async () => {
    stack = await startStack({ worker: true });
    // The stack's API is initialised, not listening (supertest listens by itself): the CLI needs a port.
    if (!stack.http.listening) await new Promise<void>((r) => stack.http.listen(0, '127.0.0.1', r));
    const { port } = stack.http.address() as AddressInfo;
    url = `http://127.0.0.1:${port}`;
    dir = mkdtempSync(join(tmpdir(), 'runbox-cli-e2e-'));
    // 1..3: n → 2n; "big" has a huge n; "sample" uses the folder layout
    file('tests/1.in', '1\n');
    file('tests/1.out', '2\n');
    file('tests/2.in', '2\n');
    file('tests/2.out', '4\n');
    file('tests/10.in', '10\n');
    file('tests/10.out', '20\n');
    file('tests/sample/input', '21\n');
    file('tests/sample/output', '42\n');
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 when every test passes, lists the tests in natural order, and writes a valid JUnit file', async () => {
    const sol = file('double.py', 'print(int(input()) * 2)\n');
    const junit = join(dir, 'ok.xml');
    const r = await run([sol, '--tests', join(dir, 'tests'), '--junit', junit]);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/completed.*: ok, score 4\/4/);
    expect(r.stdout.match(/✓ (\S+)/g)).toEqual(['✓ 1', '✓ 2', '✓ 10', '✓ sample']);
    expect(r.stderr).toMatch(/runbox: test 4\/4 sample: ok|runbox: job .* completed/); // plain progress lines: not a TTY
    const root = checkJUnit(readFileSync(junit, 'utf8'));
    expect(root.attrs).toMatchObject({ tests: '4', failures: '0', errors: '0' });
    expect(findAll(root, 'testcase').map((c) => c.attrs.name)).toEqual(['1', '2', '10', 'sample']);
  });

  it('exits 1 on a wrong answer and reports the failure in JUnit', async () => {
    const sol = file('wrong.py', 'n = int(input())\nprint(n * 2 if n != 10 else 21)\n');
    const junit = join(dir, 'wa.xml');
    const r = await run([sol, '--tests', join(dir, 'tests'), '--junit', junit]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/wrong_answer, score 3\/4/);
    expect(r.stdout).toMatch(/✗ 10 +wrong_answer .*line 1: expected "20", got "21"/);
    const root = checkJUnit(readFileSync(junit, 'utf8'));
    expect(root.attrs).toMatchObject({ tests: '4', failures: '1', errors: '0' });
    const failure = findAll(root, 'failure')[0]!;
    expect(failure.attrs).toMatchObject({ type: 'wrong_answer', message: expect.stringContaining('expected "20", got "21"') });
  });

  it('exits 2 on a compile error, with the compiler output, and JUnit errors on "compile"', async () => {
    const sol = file('broken.c', 'int main( { return 0; }\n');
    const junit = join(dir, 'ce.xml');
    const r = await run([sol, '--tests', join(dir, 'tests'), '--junit', junit]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/compile_error/);
    expect(r.stdout).toMatch(/error/);
    const root = checkJUnit(readFileSync(junit, 'utf8'));
    expect(findAll(root, 'testcase')[0]!.attrs.name).toBe('compile');
    expect(findAll(root, 'error')[0]!.attrs.type).toBe('compile_error');
    expect(findAll(root, 'skipped')).toHaveLength(4);
  });

  it.each([
    ['runtime_error', 3, 'import sys\nsys.exit(3)\n'],
    ['time_limit', 4, 'while True: pass\n'],
    ['memory_limit', 5, 'x = "x" * (1024 * 1024 * 1024)\nprint(len(x))\n'], // written, so really resident
    ['output_limit', 6, 'import sys\nsys.stdout.write("x" * 10_000_000)\n'],
  ])('exits with the code of %s (%i)', async (verdict, code, source) => {
    const r = await run([file(`${verdict}.py`, source)]);
    expect(r.stdout).toContain(verdict);
    expect(r.code).toBe(code);
  });

  it('exits 7 when a custom checker cannot judge (internal_error)', async () => {
    const checker = file('crash-checker.py', 'raise SystemExit(9)\n');
    const r = await run([file('fine.py', 'print(int(input()) * 2)\n'), '--tests', join(dir, 'tests'), '--checker', `custom:${checker}`]);
    expect(r.stdout).toContain('internal_error');
    expect(r.code).toBe(7);
  });

  it('passes a custom checker and a float checker through', async () => {
    const checker = file(
      'ok-checker.py',
      'import sys\nout = open(sys.argv[2]).read().split()\nans = open(sys.argv[3]).read().split()\nsys.exit(0 if out == ans else 1)\n',
    );
    const sol = file('double2.py', 'print(int(input()) * 2)\n');
    expect((await run([sol, '--tests', join(dir, 'tests'), '--checker', `custom:${checker}`])).code).toBe(0);
    file('ftests/a.in', '3\n');
    file('ftests/a.out', '0.3333\n');
    const third = file('third.py', 'print(1 / int(input()))\n');
    expect((await run([third, '--tests', join(dir, 'ftests'), '--checker', 'float:1e-3'])).code).toBe(0);
    expect((await run([third, '--tests', join(dir, 'ftests'), '--checker', 'float:1e-6'])).code).toBe(1);
  });

  it('shows the program output of a job without tests, with --stdin', async () => {
    const r = await run([file('echo.py', 'print(input()[::-1])\n'), '--stdin', file('in.txt', 'olleh\n')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--- stdout ---\nhello\n');
  });

  it('--json prints the job as the API returns it', async () => {
    const r = await run([file('j.py', 'print(42)\n'), '--json']);
    expect(r.code).toBe(0);
    const view = JSON.parse(r.stdout) as JobView;
    expect(view).toMatchObject({ status: 'completed', language: 'python', result: { verdict: 'ok', run: { stdout: '42\n' } } });
  });

  it('lists the languages', async () => {
    const r = await runbox(['languages', '--url', url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^python +Python /m);
  });

  it('exits 65 when the API refuses the request, 64 on a usage error, 69 when the API cannot be reached', async () => {
    const sol = file('x.py', 'print(1)\n');
    const refused = await run([sol, '--language', 'cobol']);
    expect(refused.code).toBe(65);
    expect(refused.stderr).toMatch(/HTTP 4\d\d/);
    expect((await run([sol, '--checker', 'fuzzy'])).code).toBe(64);
    expect((await run([join(dir, 'missing.py')])).code).toBe(64);
    expect((await runbox(['run', sol, '--url', `http://127.0.0.1:${await freePort()}`])).code).toBe(69);
  });
});
