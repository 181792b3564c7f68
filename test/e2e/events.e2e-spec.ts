/**
 * GET /v1/jobs/{id}/events (Server-Sent Events) through the real stack.
 */
import { Redis } from 'ioredis';
import request from 'supertest';
import { progressChannel } from '@runbox/queue';
import { createApi } from '../../apps/api/src/bootstrap';
import { parseSse } from '../support/sse';
import { startStack, type Stack } from '../support/stack';

describe('job events (SSE)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: true });
  });
  afterAll(() => stack?.stop());

  const events = async (id: string, http = stack.http) => {
    const res = await request(http)
      .get(`/v1/jobs/${id}/events`)
      .buffer(true)
      .parse((r, cb) => {
        let d = '';
        r.on('data', (c: Buffer) => (d += c.toString()));
        r.on('end', () => cb(null, d));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    return parseSse(res.body as string);
  };

  it('streams a compiled job with tests: its state, compiled, each test, then completed with the result', async () => {
    const submit = await request(stack.http)
      .post('/v1/jobs')
      .send({
        language: 'c',
        source: '#include <stdio.h>\n#include <unistd.h>\nint main(){int n; scanf("%d",&n); usleep(100000); printf("%d\\n", n*2);}',
        tests: [1, 2, 3].map((n) => ({ stdin: `${n}\n`, expectedOutput: `${n * 2}\n` })),
      });
    const seen = await events(submit.body.id);
    const types = seen.map((e) => e.type);
    expect(['queued', 'running']).toContain(types[0]);
    expect(types.slice(-5)).toEqual(['compiled', 'test', 'test', 'test', 'completed']);
    expect(seen.filter((e) => e.type === 'test').map((e) => e.data.index)).toEqual([0, 1, 2]);
    expect(seen.at(-1)!.data).toMatchObject({ id: submit.body.id, status: 'completed', result: { verdict: 'ok' } });
  });

  it('streams an interpreted job: no compiled event', async () => {
    const submit = await request(stack.http)
      .post('/v1/jobs')
      .send({ language: 'python', source: 'import time; time.sleep(0.2); print(1)' });
    const types = (await events(submit.body.id)).map((e) => e.type);
    expect(types).not.toContain('compiled');
    expect(types.at(-1)).toBe('completed');
    expect(types.filter((t) => t === 'completed')).toHaveLength(1);
  });

  it('starts right for a job that has already finished: one final event, then the end', async () => {
    const done = await request(stack.http).post('/v1/jobs?wait=true').send({ language: 'bash', source: 'echo done' });
    expect(done.body.status).toBe('completed');
    const seen = await events(done.body.id);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'completed', data: { status: 'completed', result: { run: { stdout: 'done\n' } } } });
  });

  it('ends with cancelled when the job is cancelled while queued or running', async () => {
    const submit = await request(stack.http)
      .post('/v1/jobs')
      .send({ language: 'bash', source: 'sleep 20', limits: { wallTimeMs: 30000 } });
    const stream = events(submit.body.id);
    await new Promise((r) => setTimeout(r, 300));
    await request(stack.http).delete(`/v1/jobs/${submit.body.id}`);
    const seen = await stream;
    expect(seen.at(-1)).toMatchObject({ type: 'cancelled', data: { status: 'cancelled' } });
  });

  it('streams from an API process other than the one that took the job (events travel through Redis)', async () => {
    const other = await createApi(stack.config);
    try {
      const submit = await request(stack.http)
        .post('/v1/jobs')
        .send({ language: 'python', source: 'import time; time.sleep(0.3); print(2)' });
      const seen = await events(submit.body.id, other.getHttpServer());
      expect(seen.at(-1)).toMatchObject({ type: 'completed', data: { result: { run: { stdout: '2\n' } } } });
    } finally {
      await other.close();
    }
  });

  it("follows jobs' progress only while a stream is open: waiting APIs are not woken by every job's start", async () => {
    const redis = new Redis(stack.config.redis.url);
    const followers = async () => ((await redis.pubsub('NUMSUB', progressChannel(stack.config))) as [string, number])[1];
    const until = async (n: number) => {
      for (let i = 0; i < 100 && (await followers()) !== n; i++) await new Promise((r) => setTimeout(r, 20));
      return followers();
    };
    try {
      expect(await until(0)).toBe(0);
      const done = await request(stack.http).post('/v1/jobs?wait=true').send({ language: 'bash', source: 'echo waited' });
      expect(done.body.status).toBe('completed');
      expect(await followers()).toBe(0);
      const submit = await request(stack.http).post('/v1/jobs').send({ language: 'bash', source: 'sleep 1; echo streamed' });
      const stream = events(submit.body.id);
      expect(await until(1)).toBe(1);
      const seen = await stream;
      expect(seen.map((e) => e.type)).toContain('running');
      expect(seen.at(-1)).toMatchObject({ type: 'completed', data: { result: { run: { stdout: 'streamed\n' } } } });
      expect(await until(0)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });

  it('answers 404 as JSON for an unknown job', async () => {
    const res = await request(stack.http).get('/v1/jobs/00000000-0000-4000-8000-000000000000/events');
    expect(res.status).toBe(404);
    expect(res.body.statusCode).toBe(404);
  });
});
