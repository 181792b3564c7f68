/**
 * Redis unreachable: the API keeps answering, promptly and in JSON — 503 with Retry-After on
 * every route that needs the job store and on readiness, 200 on liveness — for as long as the
 * outage lasts, and serves again by itself once Redis is back, without a restart.
 */
import request from 'supertest';
import { startRedis, type RedisServer } from '../support/redis';
import type { Stack } from '../support/stack';
import { bodies } from '../support/bodies';
import { sleep, startFaultStack } from './fault-helpers';

jest.setTimeout(120_000);

/** Longest a request may take while Redis is down: a client must not hang on us. */
const PROMPT_MS = 3_000;

describe('Redis unreachable', () => {
  let redis: RedisServer;
  let stack: Stack;

  beforeAll(async () => {
    redis = await startRedis({ appendOnly: true });
    stack = await startFaultStack({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await redis?.up().catch(() => undefined); // the worker drains through Redis
    await stack?.stop();
    await redis?.stop();
  });

  const expectUnavailable = async (what: string, req: request.Test) => {
    const started = Date.now();
    const res = await req.timeout(PROMPT_MS).catch((e: Error) => {
      throw new Error(`${what}: no answer within ${PROMPT_MS} ms while Redis is down (${e.message})`);
    });
    expect({ what, status: res.status, type: res.type }).toEqual({ what, status: 503, type: 'application/json' });
    expect(res.body).toEqual(bodies.notReady());
    return Date.now() - started;
  };

  it('answers 503 (JSON) on submit and readiness for the whole outage, and recovers by itself', async () => {
    const id = (await request(stack.http).post('/v1/jobs?wait=true').send({ language: 'bash', source: 'echo before' })).body.id;
    expect((await request(stack.http).get('/health/ready')).status).toBe(200);

    await redis.down('SIGKILL');
    const down = Date.now();
    // Right after the loss, after the client's first reconnect attempts, and after its back-off has grown.
    for (const at of [200, 3_000, 12_000]) {
      await sleep(Math.max(0, down + at - Date.now()));
      await expectUnavailable(`submit +${at} ms`, request(stack.http).post('/v1/jobs').send({ language: 'bash', source: 'echo hi' }));
      await expectUnavailable(
        `submit ?wait=true +${at} ms`,
        request(stack.http).post('/v1/jobs?wait=true').send({ language: 'bash', source: 'echo hi' }),
      );
      await expectUnavailable(
        `batch +${at} ms`,
        request(stack.http)
          .post('/v1/jobs/batch')
          .send({ jobs: [{ language: 'bash', source: 'echo hi' }] }),
      );
      await expectUnavailable(`read +${at} ms`, request(stack.http).get(`/v1/jobs/${id}`));
      await expectUnavailable(`ready +${at} ms`, request(stack.http).get('/health/ready'));
      expect((await request(stack.http).get('/health/live').timeout(PROMPT_MS)).status).toBe(200);
    }

    await redis.up();
    const back = Date.now();
    let ready = 0;
    let served = 0;
    while ((!ready || !served) && Date.now() - back < 30_000) {
      if (
        !ready &&
        (
          await request(stack.http)
            .get('/health/ready')
            .timeout(PROMPT_MS)
            .catch(() => null)
        )?.status === 200
      )
        ready = Date.now() - back;
      if (!served) {
        const res = await request(stack.http)
          .post('/v1/jobs?wait=true')
          .timeout(10_000)
          .send({ language: 'bash', source: 'echo after' })
          .catch(() => null);
        if (res?.status === 200 && res.body.result?.run?.stdout === 'after\n') served = Date.now() - back;
      }
      if (!ready || !served) await sleep(200);
    }
    console.log(`Redis back: ready after ${ready} ms, first job served after ${served} ms`);
    expect(ready).toBeGreaterThan(0);
    expect(served).toBeGreaterThan(0);
    // The job accepted before the outage is still there, finished.
    expect((await request(stack.http).get(`/v1/jobs/${id}`)).body).toMatchObject({
      status: 'completed',
      result: { run: { stdout: 'before\n' } },
    });
  });
});
