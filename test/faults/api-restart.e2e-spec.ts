/**
 * The API restarted (closed, then built again from the same configuration on the same port, as
 * a deploy or a crash-and-restart would) while clients poll and wait: the API holds no state, so
 * every client still gets its own job's result. A client whose `?wait=true` was cut off retries
 * with the same Idempotency-Key and gets the same job, not a second run.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FINAL_STATUSES } from '@runbox/contract';
import { createApi } from '../../apps/api/src/bootstrap';
import { freePort } from '../support/redis';
import type { Stack } from '../support/stack';
import { sleep, sleeper, startFaultStack } from './fault-helpers';

jest.setTimeout(120_000);

describe('API restarted while clients poll', () => {
  let stack: Stack;
  let app: NestFastifyApplication;
  let port: number;

  beforeAll(async () => {
    stack = await startFaultStack();
    port = await freePort();
    app = stack.app;
    await app.listen(port, '127.0.0.1');
  });
  afterAll(async () => {
    if (app !== stack.app) await app.close(); // the stack closes the one it started
    await stack?.stop();
  });

  /** One HTTP call as a client makes it: JSON in and out, a network failure is `null`. */
  const call = async (method: string, path: string, body?: object, headers: Record<string, string> = {}) => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: body && JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    } catch {
      return null; // refused, reset, cut off: the API is restarting
    }
  };

  /** Polls a job until it ends, riding out the restart; counts the calls that failed. */
  const poll = async (id: string) => {
    let failures = 0;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
      const res = await call('GET', `/v1/jobs/${id}`);
      if (!res || res.status >= 500) failures++;
      else if (FINAL_STATUSES.includes(res.body.status)) return { job: res.body, failures };
    }
    throw new Error(`job ${id} not final after 60 s`);
  };

  /** `?wait=true` with an Idempotency-Key, repeated until it answers with the finished job. */
  const waitFor = async (body: object, key: string) => {
    let failures = 0;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      const res = await call('POST', '/v1/jobs?wait=true', body, { 'idempotency-key': key });
      if (res?.status === 200) return { job: res.body, failures };
      if (!res || res.status >= 500) {
        failures++;
        await sleep(100);
      }
    }
    throw new Error(`wait with key ${key} got no finished job after 60 s`);
  };

  it('every polling and waiting client gets its own result', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await call('POST', '/v1/jobs', sleeper(`polled-${i}`, 1));
      expect(res?.status).toBe(202);
      ids.push(res!.body.id);
    }
    const pollers = ids.map(poll);
    const waiters = [0, 1, 2].map((i) => waitFor(sleeper(`waited-${i}`, 2), `restart-${process.pid}-${i}`));

    await sleep(1000); // clients are mid-poll and mid-wait
    await app.close(); // waiting requests are cut off (forceCloseConnections)
    await sleep(1000);
    app = await createApi(stack.config);
    await app.listen(port, '127.0.0.1');

    const polled = await Promise.all(pollers);
    const waited = await Promise.all(waiters);
    expect(polled.map((p) => [p.job.status, p.job.result?.run?.stdout])).toEqual(ids.map((_, i) => ['completed', `polled-${i}\n`]));
    expect(waited.map((w) => [w.job.status, w.job.result?.run?.stdout])).toEqual([0, 1, 2].map((i) => ['completed', `waited-${i}\n`]));
    // The restart was seen by the clients (else this test proved nothing).
    expect(polled.reduce((n, p) => n + p.failures, 0) + waited.reduce((n, w) => n + w.failures, 0)).toBeGreaterThan(0);

    // One job per key: the retried waits got the job their first attempt created.
    const again = await Promise.all(
      [0, 1, 2].map((i) => call('POST', '/v1/jobs', sleeper(`waited-${i}`, 2), { 'idempotency-key': `restart-${process.pid}-${i}` })),
    );
    expect(again.map((r) => r?.body.id)).toEqual(waited.map((w) => w.job.id));
  });
});
