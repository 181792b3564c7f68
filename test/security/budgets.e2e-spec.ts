/**
 * Bounded results, through the real service: a job's output is kept within the per-job budget
 * whatever its tests print (the worker's memory and Redis's measured), a job's runs together get
 * at most the per-job time budget, and one key runs at most its cap of jobs at once, whatever
 * the number of free slots.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import request from 'supertest';
import { startStack, testRedisUrl, type Stack } from '../support/stack';

jest.setTimeout(300_000);

const MiB = 1024 * 1024;

async function finished(stack: Stack, id: string, auth: Record<string, string> = {}, timeoutMs = 240_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await request(stack.http).get(`/v1/jobs/${id}`).set(auth);
    if (['completed', 'failed', 'cancelled'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The stack's worker process, found by the queue prefix in its environment. */
function workerPid(stack: Stack): number {
  for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (!readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('apps/worker/dist/main.js')) continue;
      if (readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`QUEUE_PREFIX=${stack.env.QUEUE_PREFIX}`)) return Number(p);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error('no worker process');
}
const statusKb = (pid: number, field: string) =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const usedMemory = async (redis: Redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);

describe('the per-job output budget', () => {
  let stack: Stack;
  let redis: Redis;
  beforeAll(async () => {
    stack = await startStack({ worker: true });
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    redis.disconnect();
    await stack.stop();
  });

  it('100 tests of 4 MiB output each: the result stays within 8 MiB, the worker and Redis stay small', async () => {
    const budget = stack.config.worker.jobOutputBudgetBytes;
    expect(budget).toBe(8 * MiB); // the default
    const pid = workerPid(stack);
    const rssBeforeKb = statusKb(pid, 'VmRSS');
    const redisBefore = await usedMemory(redis);
    const tests = Array.from({ length: 100 }, (_, i) => ({ name: `t${i}`, stdin: '' }));
    const { body } = await request(stack.http)
      .post('/v1/jobs')
      .send({ language: 'python', source: 'import sys\nsys.stdout.write("x" * 4194304)', tests, limits: { outputBytes: 4 * MiB } });
    const job = await finished(stack, body.id);
    expect(job.status).toBe('completed');
    const runs = job.result.tests.map((t: any) => t.run);
    expect(runs).toHaveLength(100);
    // every program did what it should; only what is kept of it is bounded
    expect(job.result.tests.every((t: any) => t.verdict === 'ok')).toBe(true);
    expect(job.result.outputBudgetSpent).toBe(true);
    const kept = runs.reduce((n: number, r: any) => n + Buffer.byteLength(r.stdout) + Buffer.byteLength(r.stderr), 0);
    expect(kept).toBe(budget);
    expect(runs.slice(0, 2).map((r: any) => [r.stdout.length, r.stdoutTruncated])).toEqual([
      [4 * MiB, false],
      [4 * MiB, false],
    ]);
    expect(runs.slice(2).every((r: any) => r.stdout === '' && r.stdoutTruncated)).toBe(true);
    // The worker's peak memory and Redis's memory grew by a bounded amount, not by the 400 MiB printed.
    // Redis holds the result twice (the job's hash and BullMQ's completed event): 2 × 8 MiB, and
    // some client buffers of the events that went out, given a moment to drain.
    await new Promise((r) => setTimeout(r, 1000));
    const peakGrowthMb = (statusKb(pid, 'VmHWM') - rssBeforeKb) / 1024;
    const redisGrowthMb = ((await usedMemory(redis)) - redisBefore) / MiB;
    console.log(`worker RSS growth at peak ${peakGrowthMb.toFixed(1)} MiB, Redis used_memory growth ${redisGrowthMb.toFixed(1)} MiB`);
    expect(peakGrowthMb).toBeLessThan(240);
    expect(redisGrowthMb).toBeLessThan(40);
  });
});

describe('the per-job time budget', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: true, env: { JOB_TIME_BUDGET_MS: '2500' } });
  });
  afterAll(() => stack.stop());

  it('the test that crosses it ends in time_limit, the rest do not run, and the result says why', async () => {
    const tests = Array.from({ length: 5 }, (_, i) => ({ name: `t${i}`, stdin: '', expectedOutput: 'done\n' }));
    const started = Date.now();
    const { body } = await request(stack.http)
      .post('/v1/jobs')
      .send({ language: 'python', source: 'import time\ntime.sleep(1)\nprint("done")', tests, limits: { wallTimeMs: 5000 } });
    const job = await finished(stack, body.id);
    expect(job.status).toBe('completed');
    expect(job.result.tests.map((t: any) => t.verdict)).toEqual(['ok', 'ok', 'time_limit']);
    expect(job.result.tests[2].message).toMatch(/time budget \(2500 ms/);
    expect(job.result.verdict).toBe('time_limit');
    expect(job.result.stopped).toEqual({ reason: 'job_time_budget', test: 2 });
    const wall = job.result.tests.reduce((n: number, t: any) => n + t.run.wallTimeMs, 0);
    expect(wall).toBeLessThanOrEqual(2500 + 100);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('the running cap per key', () => {
  const sha = (k: string) => createHash('sha256').update(k).digest('hex');
  const A = 'key-a-secret-0123456789abcdef';
  const B = 'key-b-secret-0123456789abcdef';
  const auth = (k: string) => ({ Authorization: `Bearer ${k}` });
  let stack: Stack;
  let redis: Redis;
  beforeAll(async () => {
    stack = await startStack({ worker: true, env: { API_KEYS: `a:submit:${sha(A)},b:submit:${sha(B)}`, MAX_RUNNING_JOBS_PER_KEY: '1' } });
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    redis.disconnect();
    await stack.stop();
  });

  it('two slots, one key at its cap of 1: its jobs run one after the other while another key gets the other slot', async () => {
    expect(stack.config.worker.slots).toBe(2);
    const source = 'import time\nprint(time.time())\ntime.sleep(1.5)\nprint(time.time())';
    const submit = async (key: string) =>
      (await request(stack.http).post('/v1/jobs').set(auth(key)).send({ language: 'python', source })).body.id as string;
    const [a1, a2, b1] = await Promise.all([submit(A), submit(A), submit(B)]);
    const span = async (id: string, key: string): Promise<[number, number]> => {
      const job = await finished(stack, id, auth(key), 60_000);
      expect(job.status).toBe('completed');
      const [from, to] = job.result.run.stdout.trim().split('\n').map(Number);
      return [from!, to!];
    };
    const [sa1, sa2, sb1] = [await span(a1, A), await span(a2, A), await span(b1, B)];
    const overlap = (x: [number, number], y: [number, number]) => x[0] < y[1] && y[0] < x[1];
    expect(overlap(sa1, sa2)).toBe(false); // key A never ran two at once
    expect(overlap(sb1, sa1) || overlap(sb1, sa2)).toBe(true); // key B was not kept waiting behind it
    // every entry was given back
    const keys = await redis.keys(`${stack.env.QUEUE_PREFIX}:running:*`);
    expect(keys).toEqual([]);
  });
});
