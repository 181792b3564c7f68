import type { JobView } from '@runbox/contract';
import type { ApiClient } from './api-client';
import { graded } from './fixtures.test-helper';
import type { SseEvent } from './sse';
import { GaveUp, waitForJob } from './wait-for-job';

const running: JobView = { ...graded, status: 'running', result: null, finishedAt: null };

function fakeApi(opts: { events?: SseEvent[] | null; views: JobView[]; hang?: boolean }) {
  let gets = 0;
  const api = {
    async events(_id: string, signal: AbortSignal) {
      if (!opts.events) return null;
      const list = opts.events;
      return (async function* () {
        yield* list;
        // a stream that stays open without a final event, until its request is aborted
        if (opts.hang)
          await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
      })();
    },
    async job() {
      return opts.views[Math.min(gets++, opts.views.length - 1)]!;
    },
  };
  return { api: api as unknown as ApiClient, gets: () => gets };
}

const ev = (event: string, data: unknown): SseEvent => ({ event, data: JSON.stringify(data), id: undefined });

describe('waitForJob', () => {
  it('follows the SSE stream (test events drive progress), then reads the final job', async () => {
    const tests = graded.result!.tests!;
    const { api, gets } = fakeApi({
      events: [
        ev('queued', {}),
        ev('running', {}),
        ev('test', { index: 0, ...tests[0] }),
        // the whole JobEvent envelope is understood too
        ev('test', { jobId: graded.id, type: 'test', at: 'now', data: { index: 1, ...tests[1] } }),
        ev('test', { index: 1, ...tests[1] }), // a repeat is ignored
        ev('completed', graded),
        ev('test', { index: 9, name: 'after the end', verdict: 'ok' }),
      ],
      views: [running, graded],
    });
    const seen: string[] = [];
    const view = await waitForJob(api, graded.id, {
      timeoutMs: 5000,
      pollMs: 1,
      hooks: { onStatus: (s) => seen.push(s), onTest: (i, t) => seen.push(`test ${i} ${t.name} ${t.verdict}`) },
    });
    expect(view).toBe(graded);
    expect(seen).toEqual(['queued', 'running', 'test 0 1 ok', 'test 1 2 wrong_answer', 'completed']);
    expect(gets()).toBe(2); // the first GET still said running
  });

  it('polls when the server has no event stream', async () => {
    const { api, gets } = fakeApi({ events: null, views: [{ ...running, status: 'queued' }, running, running, graded] });
    const seen: string[] = [];
    const view = await waitForJob(api, graded.id, { timeoutMs: 5000, pollMs: 1, hooks: { onStatus: (s) => seen.push(s) } });
    expect(view).toBe(graded);
    expect(gets()).toBe(4);
    expect(seen).toEqual(['queued', 'running', 'completed']);
  });

  it('polls when the stream ends without a final event', async () => {
    const { api } = fakeApi({ events: [ev('running', {})], views: [graded] });
    await expect(waitForJob(api, graded.id, { timeoutMs: 5000, pollMs: 1 })).resolves.toBe(graded);
  });

  it('leaves a stream that stays open once GET says the job has ended', async () => {
    const { api } = fakeApi({ events: [ev('running', {})], views: [graded], hang: true });
    await expect(waitForJob(api, graded.id, { timeoutMs: 5000, pollMs: 1, watchdogMs: 20 })).resolves.toBe(graded);
  });

  it('gives up after timeoutMs', async () => {
    const { api } = fakeApi({ events: null, views: [running] });
    await expect(waitForJob(api, graded.id, { timeoutMs: 50, pollMs: 5 })).rejects.toThrow(GaveUp);
  });

  it('stops when aborted, with the abort reason', async () => {
    const { api } = fakeApi({ events: null, views: [running] });
    const c = new AbortController();
    setTimeout(() => c.abort(new Error('interrupted')), 20);
    await expect(waitForJob(api, graded.id, { timeoutMs: 5000, pollMs: 5, signal: c.signal })).rejects.toThrow('interrupted');
  });
});
