/**
 * The product end to end: real Redis, the real API, a real worker process, the real launcher and
 * real compilers. Every verdict, compile-once, cancellation and batch.
 */
import request from 'supertest';
import { FINAL_STATUSES } from '@runbox/contract';
import { runJob } from '../support/jobs';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(120_000);

describe('jobs through the real stack', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: true });
  });
  afterAll(() => stack?.stop());

  const run = (body: object) => runJob(stack.http, body);

  it('runs python with stdin and answers with the finished job', async () => {
    const job = await run({ language: 'python', source: 'print(input()[::-1])', stdin: 'olleh\n' });
    expect(job.result.verdict).toBe('ok');
    expect(job.result.run).toMatchObject({ stdout: 'hello\n', exitCode: 0, signal: null, verdict: 'ok', stdoutTruncated: false });
    expect(job.result.run.wallTimeMs).toBeGreaterThanOrEqual(0);
    expect(job.result.run.memoryKb).toBeGreaterThan(0);
    expect(job.startedAt).not.toBeNull();
    expect(job.finishedAt).not.toBeNull();
  });

  it.each([
    ['javascript', 'console.log(process.argv.slice(2).join(","))', 'a,b\n'],
    ['bash', 'echo "$1,$2"', 'a,b\n'],
    ['ruby', 'puts ARGV.join(",")', 'a,b\n'],
    ['c', '#include <stdio.h>\nint main(int c,char**v){printf("%s,%s\\n",v[1],v[2]);}', 'a,b\n'],
    ['cpp', '#include <iostream>\nint main(int c,char**v){std::cout<<v[1]<<","<<v[2]<<"\\n";}', 'a,b\n'],
    ['java', 'public class Main { public static void main(String[] a) { System.out.println(a[0] + "," + a[1]); } }', 'a,b\n'],
  ])('runs %s with arguments', async (language, source, stdout) => {
    const job = await run({ language, source, args: ['a', 'b'] });
    expect(job.result.run).toMatchObject({ stdout, verdict: 'ok' });
    if (['c', 'cpp', 'java'].includes(language)) expect(job.result.compile).toMatchObject({ verdict: 'ok', exitCode: 0 });
    else expect(job.result.compile).toBeNull();
  });

  it('takes several files (utf8 and base64)', async () => {
    const job = await run({
      language: 'c',
      files: [
        { path: 'main.c', content: '#include "lib/add.h"\n#include <stdio.h>\nint main(){printf("%d\\n", add(2,3));}' },
        { path: 'lib/add.h', content: Buffer.from('static int add(int a,int b){return a+b;}\n').toString('base64'), encoding: 'base64' },
      ],
    });
    expect(job.result.run.stdout).toBe('5\n');
  });

  it('compile_error carries the compiler output', async () => {
    const job = await run({ language: 'c', source: 'int main( { return 0; }' });
    expect(job.result.verdict).toBe('compile_error');
    expect(job.result.compile.verdict).not.toBe('ok');
    expect(job.result.compile.stderr).toMatch(/error/);
    expect(job.result.run).toBeNull();
  });

  it('runtime_error with an exit code', async () => {
    const job = await run({ language: 'python', source: 'import sys; sys.exit(3)' });
    expect(job.result.run).toMatchObject({ verdict: 'runtime_error', exitCode: 3, signal: null });
  });

  it('runtime_error with a signal name', async () => {
    const job = await run({ language: 'c', source: '#include <signal.h>\nint main(){ int *p = 0; return *p; }' });
    expect(job.result.run).toMatchObject({ verdict: 'runtime_error', exitCode: null, signal: 'SIGSEGV' });
  });

  it('time_limit by CPU time', async () => {
    const job = await run({ language: 'python', source: 'while True: pass', limits: { cpuTimeMs: 300, wallTimeMs: 5000 } });
    expect(job.result.run.verdict).toBe('time_limit');
    expect(job.result.run.cpuTimeMs).toBeGreaterThanOrEqual(300);
    expect(job.result.run.message).toMatch(/CPU/);
  });

  it('time_limit by wall clock', async () => {
    const job = await run({ language: 'bash', source: 'sleep 30', limits: { cpuTimeMs: 1000, wallTimeMs: 400 } });
    expect(job.result.run.verdict).toBe('time_limit');
    expect(job.result.run.message).toMatch(/wall/);
  });

  it('memory_limit', async () => {
    const job = await run({ language: 'python', source: 'x = bytearray(200 * 1024 * 1024)\nprint(len(x))', limits: { memoryMb: 64 } });
    expect(job.result.run.verdict).toBe('memory_limit');
  });

  it('output_limit keeps the first bytes and flags truncation', async () => {
    const job = await run({ language: 'python', source: 'while True: print("y" * 1000)', limits: { outputBytes: 1000 } });
    expect(job.result.run.verdict).toBe('output_limit');
    expect(job.result.run.stdoutTruncated).toBe(true);
    expect(job.result.run.stdout.length).toBeLessThanOrEqual(1000);
  });

  it('answers 202 and then the result by polling', async () => {
    const res = await request(stack.http).post('/v1/jobs').send({ language: 'bash', source: 'echo polled' });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/v1/jobs/${res.body.id}`);
    let job = res.body;
    for (let i = 0; i < 200 && job.status !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await request(stack.http).get(`/v1/jobs/${res.body.id}`)).body;
    }
    expect(job.result.run.stdout).toBe('polled\n');
  });

  it('a job polled without pause is never completed without its result', async () => {
    // The view must not mix a running job's record with a finished job's state.
    const torn: string[] = [];
    await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const { body } = await request(stack.http)
          .post('/v1/jobs')
          .send({ language: 'bash', source: `echo ${i}` });
        const deadline = Date.now() + 30_000;
        for (let job = body; !FINAL_STATUSES.includes(job.status);) {
          if (Date.now() > deadline) throw new Error(`job ${body.id} not final after 30 s: ${JSON.stringify(job)}`);
          job = (await request(stack.http).get(`/v1/jobs/${body.id}`)).body;
          if (job.status !== 'queued' && job.status !== 'running' && job.result?.run?.stdout !== `${i}\n`) torn.push(JSON.stringify(job));
        }
      }),
    );
    expect(torn).toEqual([]);
  });

  it('cancels a running job within a second and leaves it cancelled', async () => {
    const res = await request(stack.http)
      .post('/v1/jobs')
      .send({ language: 'bash', source: 'sleep 20', limits: { wallTimeMs: 30000 } });
    for (let i = 0; i < 100; i++) {
      if ((await request(stack.http).get(`/v1/jobs/${res.body.id}`)).body.status === 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const started = Date.now();
    const del = await request(stack.http).delete(`/v1/jobs/${res.body.id}`);
    expect([200, 202]).toContain(del.status);
    let status = del.body.status;
    while (status !== 'cancelled' && Date.now() - started < 5000) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await request(stack.http).get(`/v1/jobs/${res.body.id}`)).body.status;
    }
    expect(status).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(3000); // generous: the contract is "within a second"
  });

  it('runs a batch and reads it back with ?ids=', async () => {
    const res = await request(stack.http)
      .post('/v1/jobs/batch')
      .send({
        jobs: [
          { language: 'bash', source: 'echo 1' },
          { language: 'python', source: 'print(2)' },
        ],
      });
    expect(res.status).toBe(202);
    expect(res.body.ids).toHaveLength(2);
    let jobs: { status: string; result: { run: { stdout: string } } }[] = [];
    for (let i = 0; i < 200; i++) {
      jobs = (await request(stack.http).get(`/v1/jobs?ids=${res.body.ids.join(',')}`)).body.jobs;
      if (jobs.every((j) => j.status === 'completed')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(jobs.map((j) => j.result.run.stdout)).toEqual(['1\n', '2\n']);
  });

  it('lists only installed languages, with versions', async () => {
    const res = await request(stack.http).get('/v1/languages');
    expect(res.status).toBe(200);
    const python = res.body.find((l: { id: string }) => l.id === 'python');
    expect(python.version).toMatch(/^3\.\d+/);
  });

  it('is ready once a worker is alive', async () => {
    expect((await request(stack.http).get('/health/ready')).status).toBe(200);
  });
});
