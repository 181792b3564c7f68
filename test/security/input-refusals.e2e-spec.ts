/**
 * Input the launcher cannot take is refused before it could reach it: a NUL byte in any string
 * that becomes a C string (an argument, a test name, a file path) and a path a compiler would
 * read as an option are 422 at the API, naming the field, and a job carrying them that reaches
 * the queue anyway is refused by the worker before anything runs. javac runs without annotation
 * processing, so a processor planted in the box is never executed at compile time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { DEFAULT_CHECKER, DEFAULT_LIMITS, JOBS_QUEUE, type JobData } from '@runbox/contract';
import { bodies } from '../support/bodies';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(120_000);

const NUL = '\u0000';
const c = (path = 'main.c') => ({ path, content: 'int main(void){return 0;}' });

describe('strings the launcher cannot take', () => {
  let stack: Stack;
  const post = (body: object) => request(stack.http).post('/v1/jobs').send(body);

  beforeAll(async () => {
    stack = await startStack({ worker: true });
  });
  afterAll(() => stack?.stop());

  it.each([
    ['an argument', { language: 'python', source: 'pass', args: ['ok', `x${NUL}${NUL}y`] }, 'args[1]'],
    ['an argument that would split in two', { language: 'python', source: 'pass', args: [`a${NUL}b`] }, 'args[0]'],
    ["a test's argument", { language: 'python', source: 'pass', tests: [{ args: [`-v${NUL}`] }] }, 'tests[0].args[0]'],
    ["a test's name", { language: 'python', source: 'pass', tests: [{ name: `t${NUL}1` }] }, 'tests[0].name'],
    ['a file path', { language: 'c', files: [c(), c(`lib${NUL}.c`)] }, 'files[1].path'],
    [
      "a custom checker's file path",
      {
        language: 'python',
        source: 'pass',
        tests: [{ expectedOutput: '' }],
        checker: { type: 'custom', language: 'c', files: [c(`chk${NUL}.c`)] },
      },
      'checker.files[0].path',
    ],
  ])('422 for a NUL in %s, naming it', async (_what, body, field) => {
    const res = await post(body);
    expect(res.status).toBe(422);
    expect(res.body).toEqual(bodies.unprocessable(field, 'noNul'));
  });

  it('names the field inside a batch', async () => {
    const res = await request(stack.http)
      .post('/v1/jobs/batch')
      .send({
        jobs: [
          { language: 'python', source: 'pass' },
          { language: 'python', source: 'pass', args: [`a${NUL}`] },
        ],
      });
    expect(res.status).toBe(422);
    expect(res.body).toEqual(bodies.unprocessable('jobs[1].args[0]', 'noNul'));
  });

  it('takes a NUL in stdin and in a file, which travel as bytes, never as C strings', async () => {
    const res = await request(stack.http)
      .post('/v1/jobs?wait=true')
      .send({
        language: 'python',
        files: [
          {
            path: 'main.py',
            content: 'import sys\nd = sys.stdin.buffer.read()\nprint(len(d), d.count(0), open("data.bin", "rb").read().count(0))',
          },
          { path: 'data.bin', content: `x${NUL}y${NUL}` },
        ],
        stdin: `a${NUL}b`,
      });
    expect(res.status).toBe(200);
    expect(res.body.result.run.stdout).toBe('3 1 2\n');
  });

  it.each([
    ['-fplugin.c', 'files[0].path'],
    ['src/-o.c', 'files[0].path'],
  ])('422 for a file path with a component starting with "-" (%s)', async (path, field) => {
    const res = await post({ language: 'c', files: [c(path), c('main.c')] });
    expect(res.status).toBe(422);
    expect(res.body).toEqual(bodies.unprocessable(field, 'noLeadingDash'));
  });

  it("the worker refuses a queued job with a NUL argument or a '-' path without running it", async () => {
    const queue = stack.app.get<Queue<JobData>>(getQueueToken(JOBS_QUEUE));
    const data = (over: Partial<JobData>): JobData => ({
      v: 1,
      language: 'python',
      files: [{ path: 'main.py', content: 'print("ran")', encoding: 'utf8' }],
      stdin: '',
      args: [],
      compileArgs: [],
      archive: null,
      limits: { ...DEFAULT_LIMITS },
      tests: null,
      checker: { ...DEFAULT_CHECKER },
      stopOnFirstFailure: false,
      callbackUrl: null,
      createdAt: new Date().toISOString(),
      owner: null,
      ...over,
    });
    const cases = [
      { data: data({ args: [`x${NUL}${NUL}y`] }), reason: /rejected by the worker.*args\[0\].*NUL/ },
      {
        data: data({ language: 'c', files: [{ path: '-fplugin.c', content: 'int main(){}', encoding: 'utf8' }] }),
        reason: /rejected by the worker.*files\[0\]\.path.*"-"/,
      },
    ];
    for (const { data: d, reason } of cases) {
      const job = await queue.add('run', d, { attempts: 3 });
      const deadline = Date.now() + 30_000;
      while (!(await job.isFailed()) && !(await job.isCompleted()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const after = await queue.getJob(job.id!);
      expect(await after!.getState()).toBe('failed');
      expect(after!.failedReason).toMatch(reason);
      expect(after!.attemptsMade).toBe(1); // refused, not retried as a sandbox failure
    }
  });
});

describe('javac annotation processors', () => {
  let stack: Stack;
  let dir: string;
  let processorClass: string;

  beforeAll(async () => {
    // A processor compiled on the host: on javac's class path (the box), javac would load and run
    // it at compile time, with the compile limits, unless annotation processing is off.
    dir = mkdtempSync(join(tmpdir(), 'runbox-proc-'));
    writeFileSync(
      join(dir, 'Proc.java'),
      [
        'import java.util.Set;',
        'import javax.annotation.processing.*;',
        'import javax.lang.model.SourceVersion;',
        'import javax.lang.model.element.TypeElement;',
        '@SupportedAnnotationTypes("*")',
        'public class Proc extends AbstractProcessor {',
        '  @Override public synchronized void init(ProcessingEnvironment env) { super.init(env); System.err.println("ANNOTATION PROCESSOR RAN"); }',
        '  @Override public boolean process(Set<? extends TypeElement> a, RoundEnvironment r) { return false; }',
        '  @Override public SourceVersion getSupportedSourceVersion() { return SourceVersion.latestSupported(); }',
        '}',
      ].join('\n'),
    );
    execFileSync('javac', ['-d', dir, join(dir, 'Proc.java')]);
    processorClass = readFileSync(join(dir, 'Proc.class')).toString('base64');
    stack = await startStack({ worker: true });
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await stack?.stop();
  });

  it('does not run a processor planted in the box', async () => {
    const res = await request(stack.http)
      .post('/v1/jobs?wait=true')
      .send({
        language: 'java',
        files: [
          { path: 'Main.java', content: 'public class Main { public static void main(String[] a) { System.out.println("hi"); } }' },
          { path: 'Proc.class', content: processorClass, encoding: 'base64' },
          { path: 'META-INF/services/javax.annotation.processing.Processor', content: 'Proc\n' },
        ],
      });
    expect(res.status).toBe(200);
    expect(res.body.result.compile.stderr).not.toMatch(/ANNOTATION PROCESSOR RAN/);
    expect(res.body.result.compile.verdict).toBe('ok');
    expect(res.body.result.run.stdout).toBe('hi\n');
  });
});
