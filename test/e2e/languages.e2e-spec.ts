/**
 * Every language of the table through the real stack (API, Redis, worker, launcher, the real
 * compilers and runtimes): a hello world that reads stdin, a program that does not compile (a
 * syntax error for the interpreted ones) and one that fails at run time. The programs are
 * fixtures, one folder per language (test/fixtures/languages/ID): adding a language is an entry
 * in languages.json and a folder there. A language not installed on this host is not run, but
 * must then be absent from GET /v1/languages; with RUNBOX_TEST_LANGUAGES=all,-octave (CI, after
 * `npm run setup -- --languages all`) every language must be installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { BASE_ENV, LanguageRegistry, type Language } from '@runbox/languages';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/languages');
const table = LanguageRegistry.fromFile(join(ROOT, 'libs/languages/languages.json')).languages;

/** Installed here, by the same rule as the worker's detection: the version command runs and exits 0. */
const installedHere = (lang: Language) => {
  const [cmd, ...args] = lang.version.argv;
  const r = spawnSync(cmd!, args, { env: { ...BASE_ENV }, timeout: 15_000 });
  return !r.error && r.status === 0;
};
const installed = table.filter(installedHere);

interface Fixture {
  hello: string;
  compileError: string;
  runtimeError: string;
  /** What the compiler (or, for an interpreted language, the runtime) says of compileError. */
  expectCompile: RegExp;
  /** What the failing program's stderr says; `signal` when it dies of one. */
  expectRuntime: RegExp;
  signal?: string;
}

function fixture(lang: Language): Fixture {
  const dir = join(FIXTURES, lang.id);
  const ext = lang.sourceFile.slice(lang.sourceFile.lastIndexOf('.'));
  const read = (name: string) => readFileSync(join(dir, `${name}${ext}`), 'utf8');
  const expect = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as {
    compileError: string;
    runtimeError: string;
    signal?: string;
  };
  return {
    hello: read('hello'),
    compileError: read('compile-error'),
    runtimeError: read('runtime-error'),
    expectCompile: new RegExp(expect.compileError),
    expectRuntime: new RegExp(expect.runtimeError),
    signal: expect.signal,
  };
}

describe('every language through the real stack', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: true });
  });
  afterAll(() => stack?.stop());

  const run = async (language: string, source: string, stdin = '') => {
    const res = await request(stack.http)
      .post('/v1/jobs?wait=true')
      .send({ language, source, stdin, limits: { wallTimeMs: 10_000 } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('completed');
    return res.body.result;
  };

  it('has a fixture for every language of the table, and none for a language it lacks', () => {
    expect(readdirSync(FIXTURES).sort()).toEqual(table.map((l) => l.id).sort());
    for (const lang of table) expect(existsSync(join(FIXTURES, lang.id, 'expect.json'))).toBe(true);
  });

  it('GET /v1/languages lists exactly the languages installed on this host', async () => {
    const res = await request(stack.http).get('/v1/languages');
    expect(res.status).toBe(200);
    expect(res.body.map((l: { id: string }) => l.id).sort()).toEqual(installed.map((l) => l.id).sort());
  });

  // RUNBOX_TEST_LANGUAGES=all (CI): every language of the table must be installed; `all,-octave`
  // leaves out the ones named after a '-' (those setup installs only when asked by name).
  const wanted = (process.env.RUNBOX_TEST_LANGUAGES ?? '').split(',');
  if (wanted[0] === 'all') {
    const leftOut = new Set(wanted.filter((w) => w.startsWith('-')).map((w) => w.slice(1)));
    it(`has every language of the table installed (RUNBOX_TEST_LANGUAGES=${wanted.join(',')})`, () => {
      const required = table.filter((l) => !leftOut.has(l.id)).map((l) => l.id);
      expect(installed.map((l) => l.id).filter((id) => !leftOut.has(id))).toEqual(required);
    });
  }

  describe.each(installed.map((l) => [l.id, l] as const))('%s', (_id, lang) => {
    const f = fixture(lang);

    it('runs hello world with stdin', async () => {
      const result = await run(lang.id, f.hello, 'runbox\n');
      expect(result.verdict).toBe('ok');
      if (lang.compile) expect(result.compile).toMatchObject({ verdict: 'ok', exitCode: 0 });
      else expect(result.compile).toBeNull();
      expect(result.run).toMatchObject({ verdict: 'ok', exitCode: 0, stdout: 'hello, runbox\n' });
    });

    it(lang.compile ? 'reports a compile error with the compiler output' : 'reports a syntax error as a runtime error', async () => {
      const result = await run(lang.id, f.compileError);
      if (lang.compile) {
        expect(result.verdict).toBe('compile_error');
        expect(result.run).toBeNull();
        // some compilers (tsc, mcs) write their diagnostics to stdout
        expect(`${result.compile.stdout}${result.compile.stderr}`).toMatch(f.expectCompile);
      } else {
        expect(result.verdict).toBe('runtime_error');
        expect(result.run.exitCode).not.toBe(0);
        expect(result.run.stderr).toMatch(f.expectCompile);
      }
    });

    it('reports a runtime error', async () => {
      const result = await run(lang.id, f.runtimeError);
      expect(result.verdict).toBe('runtime_error');
      if (lang.compile) expect(result.compile.verdict).toBe('ok');
      if (f.signal) expect(result.run).toMatchObject({ exitCode: null, signal: f.signal });
      else expect(result.run.exitCode).toBeGreaterThan(0);
      expect(result.run.stderr).toMatch(f.expectRuntime);
    });
  });
});
