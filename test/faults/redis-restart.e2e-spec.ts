/**
 * Redis restarted (crash: SIGKILL, then started again on its append-only file) while jobs are
 * queued and running: every accepted job is still known afterwards and ends final, with its own
 * result; the API and the worker reconnect by themselves.
 */
import request from 'supertest';
import { startRedis, type RedisServer } from '../support/redis';
import type { Stack } from '../support/stack';
import { expectCleanHost, hostState } from '../support/host-state';
import { allFinal, running, sleep, sleeper, startFaultStack, submit, until } from './fault-helpers';

jest.setTimeout(120_000);

describe('Redis restarted under load', () => {
  let redis: RedisServer;
  let stack: Stack;
  let baselineMounts: number;

  beforeAll(async () => {
    redis = await startRedis({ appendOnly: true });
    stack = await startFaultStack({ REDIS_URL: redis.url, LOCK_DURATION_MS: '3000' });
    baselineMounts = hostState(stack.sandboxHost).mounts;
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  it.each([
    ['a crash (SIGKILL)', 'SIGKILL' as const],
    ['a clean shutdown (SIGTERM)', 'SIGTERM' as const],
  ])('loses no accepted job across %s', async (_, signal) => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await submit(stack.http, sleeper(`job-${i}`, 1)));
    await until(stack.http, ids, running(2), 10_000, 'two jobs running');

    await redis.down(signal);
    await sleep(500);
    await redis.up();

    // A client retries what was refused while Redis was away; nothing accepted before is lost.
    const after: string[] = [];
    for (let i = 0; i < 2; i++) {
      for (let attempt = 0; ; attempt++) {
        const res = await request(stack.http)
          .post('/v1/jobs')
          .send(sleeper(`after-${i}`, 0));
        if (res.status === 202) {
          after.push(res.body.id);
          break;
        }
        expect(res.status).toBe(503);
        if (attempt > 50) throw new Error('the API did not accept jobs again within 10 s of Redis returning');
        await sleep(200);
      }
    }

    const jobs = await until(stack.http, [...ids, ...after], allFinal, 60_000, 'every job final');
    expect(jobs.map((j) => [j.status, j.result?.run?.stdout])).toEqual([
      ...ids.map((_, i) => ['completed', `job-${i}\n`]),
      ...after.map((_, i) => ['completed', `after-${i}\n`]),
    ]);
    await expectCleanHost(stack.sandboxHost, baselineMounts, 10_000);
  });
});
