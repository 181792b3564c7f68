/**
 * A graded job's tests run on every slot the worker has free (apps/worker/src/run/lanes.ts), in
 * the order they count, stopping as a serial run stops, and sharing slots with the jobs behind
 * it. The worker has two slots, each with its own uid: a test that prints its uid says which
 * slot ran it.
 */
import request from 'supertest';
import { expectCleanHost, hostState } from '../support/host-state';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(180_000);

/** Reads "NAME PAUSE [fail]", prints NAME and its uid, sleeps PAUSE seconds, then exits 1 if told to fail. */
const PROGRAM = [
  'import os, sys, time',
  'name, pause, *fail = input().split()',
  'print(name, os.getuid(), flush=True)',
  'time.sleep(float(pause))',
  'sys.exit(1 if fail else 0)',
].join('\n');

interface TestView {
  name?: string;
  verdict: string;
  run: { stdout: string; wallTimeMs: number };
}
interface JobView {
  id: string;
  status: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result: { verdict: string; tests?: TestView[] } | null;
}

const test = (line: string) => ({ name: line.split(' ')[0], stdin: `${line}\n` });
const printed = (t: TestView) => t.run.stdout.trim().split(' ');
const uids = (tests: TestView[]) => new Set(tests.map((t) => printed(t)[1]));
const runMs = (job: JobView) => Date.parse(job.finishedAt!) - Date.parse(job.startedAt!);

describe('graded tests in parallel', () => {
  let stack: Stack;
  let baselineMounts: number;
  beforeAll(async () => {
    stack = await startStack({ worker: true });
    baselineMounts = hostState(stack.sandboxHost).mounts;
  });
  afterAll(() => stack?.stop());

  const grade = async (body: object): Promise<JobView> => {
    const res = await request(stack.http)
      .post('/v1/jobs?wait=true')
      .send({ language: 'python', source: PROGRAM, ...body });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('completed');
    return res.body as JobView;
  };
  const submit = async (body: object): Promise<string> => {
    const res = await request(stack.http)
      .post('/v1/jobs')
      .send({ language: 'python', ...body });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  const view = async (id: string): Promise<JobView> => (await request(stack.http).get(`/v1/jobs/${id}`)).body as JobView;
  const finished = async (id: string): Promise<JobView> => {
    for (;;) {
      const job = await view(id);
      if (!['queued', 'running'].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it("runs a job's tests on both slots at once and reports them in test order", async () => {
    const tests = Array.from({ length: 8 }, (_, i) => test(`t${i} 0.4`));
    const job = await grade({ tests });
    const results = job.result!.tests!;
    expect(results.map((t) => [t.name, t.verdict, printed(t)[0]])).toEqual(tests.map((t) => [t.name, 'ok', t.name]));
    expect(uids(results).size).toBe(2);
    // One slot would take the sum of the tests' times; two take about half.
    const serialMs = results.reduce((sum, t) => sum + t.run.wallTimeMs, 0);
    expect(runMs(job)).toBeLessThan(0.75 * serialMs);
  });

  it('takes a slot per test at most: two tests take both slots, one leaves the other to the job behind it', async () => {
    const two = await grade({ tests: [test('a 0.3'), test('b 0.3')] });
    expect(uids(two.result!.tests!).size).toBe(2);
    const one = await submit({ source: PROGRAM, tests: [test('only 1.5')] });
    await new Promise((r) => setTimeout(r, 300));
    const single = await finished(await submit({ source: 'print("behind")' }));
    const graded = await finished(one);
    expect(single.result).toMatchObject({ verdict: 'ok', run: { stdout: 'behind\n' } });
    // It ran while the one-test job's test did, not after it.
    expect(Date.parse(single.finishedAt!)).toBeLessThan(Date.parse(graded.finishedAt!));
    expect(Date.parse(single.startedAt!) - Date.parse(single.createdAt)).toBeLessThan(500);
  });

  it('stopOnFirstFailure reports what a serial run reports: tests in flight before the failure count, later ones are cancelled', async () => {
    // t0 (slow) and t1 (fails at once) run side by side; t1's failure starts nothing more, and
    // t0, which started before it, still counts.
    const slowFirst = await grade({
      stopOnFirstFailure: true,
      tests: [test('t0 1.0'), test('t1 0.1 fail'), test('t2 0'), test('t3 0')],
    });
    expect(slowFirst.result!.tests!.map((t) => [t.name, t.verdict])).toEqual([
      ['t0', 'ok'],
      ['t1', 'runtime_error'],
    ]);
    expect(uids(slowFirst.result!.tests!).size).toBe(2);
    expect(slowFirst.result!.verdict).toBe('runtime_error');

    // t0 fails after 1 s while the other slot has run t1 and t2 and sleeps in t3 for 20 s: t3
    // is cancelled (its sandbox killed), and none of t1..t3 is reported.
    const failFirst = await grade({
      stopOnFirstFailure: true,
      tests: [test('t0 1.0 fail'), test('t1 0'), test('t2 0'), test('t3 20'), test('t4 0')],
    });
    expect(failFirst.result!.tests!.map((t) => [t.name, t.verdict])).toEqual([['t0', 'runtime_error']]);
    expect(runMs(failFirst)).toBeLessThan(8_000);
    await expectCleanHost(stack.sandboxHost, baselineMounts);
  });

  it('a 100-test job lends its spare slot to the single runs queued behind it: they finish first', async () => {
    const big = await submit({ source: PROGRAM, tests: Array.from({ length: 100 }, (_, i) => test(`t${i} 0.02`)) });
    for (let job = await view(big); job.status !== 'running'; job = await view(big)) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300)); // it has both slots by now
    const singles = await Promise.all(Array.from({ length: 6 }, (_, i) => submit({ source: `print(${i})` })));
    const done = await Promise.all(singles.map(finished));
    const graded = await finished(big);
    expect(graded.status).toBe('completed');
    expect(graded.result!.tests!.map((t) => t.name)).toEqual(Array.from({ length: 100 }, (_, i) => `t${i}`));
    expect(uids(graded.result!.tests!).size).toBe(2); // alone, it used both slots
    for (const [i, s] of done.entries()) {
      expect(s.result).toMatchObject({ verdict: 'ok', run: { stdout: `${i}\n` } });
      expect(Date.parse(s.finishedAt!)).toBeLessThan(Date.parse(graded.finishedAt!));
    }
  });
});
