/**
 * Live output and input through the real stack (API, Redis, worker, launcher in serve mode):
 * `output` events on GET /v1/jobs/{id}/events while the program runs, and Piston's interactive
 * WebSocket session at /api/v2/connect.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import WebSocket from 'ws';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(120_000);

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const ALICE = 'alice-secret-0123456789abcdef';
const BOB = 'bob-secret-0123456789abcdef';
const auth = (k: string) => ({ Authorization: `Bearer ${k}` });

interface Sse {
  type: string;
  data: any;
  /** ms since the stream opened, when the event came in */
  at: number;
}

/** An SSE response's events, each with the time it arrived. */
function sseParser(events: Sse[]) {
  return (res: NodeJS.ReadableStream, cb: (err: Error | null, body: unknown) => void) => {
    const opened = Date.now();
    let buf = '';
    res.on('data', (c: Buffer) => {
      buf += c.toString();
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const type = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (type !== 'keepalive') events.push({ type, data: data ? JSON.parse(data) : null, at: Date.now() - opened });
      }
    });
    res.on('end', () => cb(null, events));
  };
}

describe('live output and input', () => {
  let stack: Stack;
  let wsUrl: string;
  beforeAll(async () => {
    stack = await startStack({
      worker: true,
      env: { API_KEYS: `alice:submit:${sha(ALICE)},bob:submit:${sha(BOB)}`, COMPAT_APIS: 'piston' },
    });
    await stack.app.listen(0, '127.0.0.1');
    wsUrl = `ws://127.0.0.1:${(stack.app.getHttpServer().address() as AddressInfo).port}/api/v2/connect`;
  });
  afterAll(() => stack?.stop());

  const submit = async (body: object, key = ALICE) => {
    const res = await request(stack.http).post('/v1/jobs').set(auth(key)).send(body);
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  const events = async (id: string, key = ALICE) => {
    const seen: Sse[] = [];
    const res = await request(stack.http).get(`/v1/jobs/${id}/events`).set(auth(key)).buffer(true).parse(sseParser(seen));
    expect(res.status).toBe(200);
    return seen;
  };
  const outputOf = (seen: Sse[], stream: string) =>
    seen
      .filter((e) => e.type === 'output' && e.data.stream === stream)
      .map((e) => e.data.data)
      .join('');

  describe('SSE output events', () => {
    it('arrive while the program runs, before the job ends; the final job is unchanged', async () => {
      const source =
        'import sys, time\ntime.sleep(0.3)\nprint("one", flush=True)\ntime.sleep(1.5)\nprint("two", file=sys.stderr, flush=True)';
      const id = await submit({ language: 'python', source, liveOutput: true });
      const seen = await events(id);
      const first = seen.find((e) => e.type === 'output');
      const completed = seen.at(-1)!;
      expect(completed.type).toBe('completed');
      expect(first?.data).toEqual({ stage: 'run', stream: 'stdout', data: 'one\n', encoding: 'utf8' });
      // the first line came while the program slept, not with its end
      expect(completed.at - first!.at).toBeGreaterThan(1000);
      expect(outputOf(seen, 'stdout')).toBe('one\n');
      expect(outputOf(seen, 'stderr')).toBe('two\n');
      expect(completed.data.result.run).toMatchObject({ stdout: 'one\n', stderr: 'two\n', verdict: 'ok' });
      expect(Object.keys(completed.data.result.run)).not.toContain('live');
    });

    it("hold a flood to the job's outputBytes, in few events", async () => {
      const source = 'import sys\nwhile True:\n    sys.stdout.write("x" * 100)\n    sys.stdout.flush()';
      const id = await submit({ language: 'python', source, liveOutput: true, limits: { outputBytes: 5000 } });
      const seen = await events(id);
      const out = seen.filter((e) => e.type === 'output');
      expect(outputOf(seen, 'stdout')).toBe('x'.repeat(5000));
      expect(out.length).toBeLessThanOrEqual(10);
      expect(seen.at(-1)!.data.result.run).toMatchObject({ verdict: 'output_limit', stdoutTruncated: true });
    });

    it('are streamed for the compile and for each test, which they name', async () => {
      const source = '#include <stdio.h>\nint main(){int n; scanf("%d",&n); printf("%d\\n", n*2);}';
      const id = await submit({ language: 'c', source, liveOutput: true, tests: [{ stdin: '1\n' }, { stdin: '2\n' }] });
      const out = (await events(id)).filter((e) => e.type === 'output' && e.data.stage === 'run').map((e) => e.data);
      expect(out).toEqual([
        { stage: 'run', test: 0, stream: 'stdout', data: '2\n', encoding: 'utf8' },
        { stage: 'run', test: 1, stream: 'stdout', data: '4\n', encoding: 'utf8' },
      ]);
    });

    it('are not sent for a job that did not ask for them', async () => {
      const id = await submit({ language: 'python', source: 'import time\ntime.sleep(0.3)\nprint("quiet")' });
      const seen = await events(id);
      expect(seen.filter((e) => e.type === 'output')).toEqual([]);
      expect(seen.at(-1)!.data.result.run.stdout).toBe('quiet\n');
    });

    it("another key's stream of the job is a 404, as for an unknown id", async () => {
      const id = await submit({ language: 'python', source: 'import time\ntime.sleep(1)\nprint("alice")', liveOutput: true });
      const res = await request(stack.http).get(`/v1/jobs/${id}/events`).set(auth(BOB));
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      expect(JSON.stringify(res.body)).not.toContain('alice');
    });
  });
});
