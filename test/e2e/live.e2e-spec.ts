/**
 * Live output and input through the real stack (API, Redis, worker, launcher in serve mode):
 * `output` events on GET /v1/jobs/{id}/events while the program runs, and Piston's interactive
 * WebSocket session at /api/v2/connect.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import WebSocket from 'ws';
import { JOBS_QUEUE } from '@runbox/contract';
import { loadConfig } from '@runbox/config';
import { createApi } from '../../apps/api/src/bootstrap';
import { parseSseBlock, type SseEvent } from '../support/sse';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(120_000);

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const ALICE = 'alice-secret-0123456789abcdef';
const BOB = 'bob-secret-0123456789abcdef';
const auth = (k: string) => ({ Authorization: `Bearer ${k}` });

interface Sse extends SseEvent {
  /** ms since the stream opened, when the event came in */
  at: number;
}

/** An SSE response's events, each with the time it arrived. */
function sseParser(events: Sse[]) {
  return (res: request.Response, cb: (err: Error | null, body: unknown) => void) => {
    const opened = Date.now();
    let buf = '';
    res.on('data', (c: Buffer) => {
      buf += c.toString();
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const event = parseSseBlock(block);
        if (event) events.push({ ...event, at: Date.now() - opened });
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
      // print() writes "one" and its newline apart (the program runs unbuffered): one event or two
      expect(first?.data).toMatchObject({ stage: 'run', stream: 'stdout', encoding: 'utf8' });
      const stdout = seen.filter((e) => e.type === 'output' && e.data.stream === 'stdout').map((e) => e.data.data);
      expect(stdout.join('')).toBe('one\n');
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
      // Tests run side by side on free slots, so their output may interleave: each names its test.
      out.sort((a, b) => a.test - b.test);
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

  describe('Piston WebSocket /api/v2/connect', () => {
    interface Conn {
      ws: WebSocket;
      messages: any[];
      /** The text of every `data` message of `stream` so far, joined: how the pipe cut it into messages is timing. */
      text(stream: 'stdout' | 'stderr'): string;
      /** Resolves with the first message that `pred` matches (or the one already in). */
      next(pred: (m: any) => boolean): Promise<any>;
      closed: Promise<{ code: number; reason: string }>;
      send(m: object): void;
    }
    const connect = async (key: string | null = ALICE): Promise<Conn> => {
      const ws = new WebSocket(wsUrl, { headers: key ? auth(key) : {} });
      const messages: any[] = [];
      const waiters: { pred: (m: any) => boolean; resolve: (m: any) => void }[] = [];
      ws.on('message', (raw: Buffer) => {
        const m = JSON.parse(raw.toString());
        messages.push(m);
        for (const w of waiters.splice(0)) {
          if (w.pred(m)) w.resolve(m);
          else waiters.push(w);
        }
      });
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      );
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      return {
        ws,
        messages,
        text: (stream) =>
          messages
            .filter((m) => m.type === 'data' && m.stream === stream)
            .map((m) => m.data as string)
            .join(''),
        next: (pred) => {
          const seen = messages.find(pred);
          return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pred, resolve }));
        },
        closed,
        send: (m) => ws.send(JSON.stringify(m)),
      };
    };
    const init = (content: string, extra: object = {}) => ({
      type: 'init',
      language: 'python',
      version: '*',
      files: [{ content }],
      ...extra,
    });
    const ECHO = 'while True:\n    print(input().upper(), flush=True)';

    it('init → runtime and stage; stdin typed while it runs is echoed; a signal kills it; then 4999', async () => {
      const c = await connect();
      c.send(init(ECHO));
      expect(await c.next((m) => m.type === 'runtime')).toEqual({ type: 'runtime', language: 'python', version: expect.any(String) });
      expect(await c.next((m) => m.type === 'stage')).toEqual({ type: 'stage', stage: 'run' });
      c.send({ type: 'data', stream: 'stdin', data: 'hello\n' });
      await c.next(() => c.text('stdout') === 'HELLO\n');
      c.send({ type: 'data', stream: 'stdin', data: 'again\n' });
      await c.next(() => c.text('stdout') === 'HELLO\nAGAIN\n');
      c.send({ type: 'signal', signal: 'SIGKILL' });
      expect(await c.next((m) => m.type === 'exit')).toEqual({ type: 'exit', stage: 'run', code: null, signal: 'SIGKILL' });
      expect(await c.closed).toEqual({ code: 4999, reason: 'Job Completed' });
      expect(c.messages.every((m) => m.type !== 'data' || m.stream === 'stdout')).toBe(true);
      const kinds = c.messages.map((m) => m.type as string).filter((t, i, all) => t !== all[i - 1]); // a run of data messages as one
      expect(kinds).toEqual(['runtime', 'stage', 'data', 'exit']);
    });

    it('a program that ends by itself: its exit, then 4999', async () => {
      const c = await connect();
      c.send(init('import sys\nname = input()\nprint("hi", name)\nprint("bye", file=sys.stderr)\nsys.exit(3)'));
      await c.next((m) => m.type === 'stage');
      c.send({ type: 'data', stream: 'stdin', data: 'ann\n' });
      expect(await c.next((m) => m.type === 'exit')).toEqual({ type: 'exit', stage: 'run', code: 3, signal: null });
      expect((await c.closed).code).toBe(4999);
      // print() writes its parts one by one (the program runs unbuffered): compared as text
      expect([c.text('stdout'), c.text('stderr')]).toEqual(['hi ann\n', 'bye\n']);
    });

    it('a compiled language: the compile stage and its exit, then the run', async () => {
      const c = await connect();
      c.send({
        type: 'init',
        language: 'c',
        version: '*',
        files: [{ name: 'main.c', content: '#include <stdio.h>\nint main(){int n; scanf("%d",&n); printf("%d\\n", n+1);}' }],
      });
      expect(await c.next((m) => m.type === 'stage')).toEqual({ type: 'stage', stage: 'compile' });
      c.send({ type: 'data', stream: 'stdin', data: '41\n' }); // typed during the compile: kept for the run
      expect(await c.next((m) => m.type === 'exit')).toEqual({ type: 'exit', stage: 'compile', code: 0, signal: null });
      expect(await c.next((m) => m.type === 'data')).toEqual({ type: 'data', stream: 'stdout', data: '42\n' });
      expect(await c.next((m) => m.type === 'exit' && m.stage === 'run')).toEqual({ type: 'exit', stage: 'run', code: 0, signal: null });
      expect((await c.closed).code).toBe(4999);
    });

    it('ends when its wall limit passes, the program still waiting for stdin', async () => {
      const c = await connect();
      c.send(init('input()', { run_timeout: 1000 }));
      expect(await c.next((m) => m.type === 'exit')).toEqual({ type: 'exit', stage: 'run', code: null, signal: 'SIGKILL' });
      expect((await c.closed).code).toBe(4999);
    });

    it("a bad init gets Piston's error message, then 4002", async () => {
      for (const [body, message] of [
        [{ type: 'init', version: '*', files: [] }, 'language is required as a string'],
        [{ type: 'init', language: 'python', version: '9.9', files: [{ content: 'x' }] }, 'python-9.9 runtime is unknown'],
        [{ type: 'init', language: 'python', version: '*' }, 'files is required as an array'],
      ] as const) {
        const c = await connect();
        c.send(body);
        expect(await c.next((m) => m.type === 'error')).toEqual({ type: 'error', message });
        expect(await c.closed).toEqual({ code: 4002, reason: 'Notified Error' });
      }
      const c = await connect();
      c.ws.send('not json');
      expect((await c.next((m) => m.type === 'error')).message).toEqual(expect.any(String));
      expect((await c.closed).code).toBe(4002);
    });

    it("answers Piston's close codes: 4000, 4001, 4003, 4004, 4005", async () => {
      const notInit = await connect();
      notInit.send({ type: 'data', stream: 'stdin', data: 'x' });
      expect(await notInit.closed).toEqual({ code: 4003, reason: 'Not yet initialized' });

      const timeout = await connect();
      const t0 = Date.now();
      expect(await timeout.closed).toEqual({ code: 4001, reason: 'Initialization Timeout' });
      expect(Date.now() - t0).toBeLessThan(3000);

      for (const [m, code] of [
        [{ type: 'data', stream: 'stdout', data: 'x' }, 4004],
        [{ type: 'signal', signal: 'SIGNOPE' }, 4005],
        [init('pass'), 4000],
      ] as const) {
        const c = await connect();
        c.send(init(ECHO));
        await c.next((x) => x.type === 'stage');
        c.send(m);
        expect((await c.closed).code).toBe(code);
      }
    });

    it("bounds a session's stdin by MAX_STDIN_BYTES", async () => {
      const c = await connect();
      c.send(init(ECHO));
      await c.next((m) => m.type === 'stage');
      c.send({ type: 'data', stream: 'stdin', data: 'x'.repeat(stack.config.requests.maxStdinBytes + 1) });
      expect(await c.next((m) => m.type === 'error')).toEqual({ type: 'error', message: expect.stringMatching(/stdin is limited/) });
      expect((await c.closed).code).toBe(4002);
    });

    it('is not served when COMPAT_APIS leaves Piston out', async () => {
      const app = await createApi(loadConfig({ ...stack.env, COMPAT_APIS: 'judge0' }));
      try {
        await app.listen(0, '127.0.0.1');
        const url = `ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/api/v2/connect`;
        const ws = new WebSocket(url, { headers: auth(ALICE) });
        const opened = new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
        await expect(opened).rejects.toThrow();
      } finally {
        await app.close();
      }
    });

    it('needs an API key like every route', async () => {
      for (const key of [null, 'not-a-key']) {
        const c = await connect(key);
        expect(await c.next((m) => m.type === 'error')).toEqual({ type: 'error', message: expect.stringMatching(/API key/) });
        expect((await c.closed).code).toBe(4002);
      }
    });

    it("a session is its key's job: another key gets 404 for it; a client that leaves takes its program with it", async () => {
      const queue = stack.app.get<Queue>(getQueueToken(JOBS_QUEUE));
      const idle = async () => {
        const deadline = Date.now() + 5000;
        while ((await queue.getActiveCount()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        return queue.getActiveCount();
      };
      expect(await idle()).toBe(0); // the sessions the tests before left are gone
      const c = await connect();
      c.send(init(ECHO));
      await c.next((m) => m.type === 'stage');
      const [job] = await queue.getActive();
      expect((await request(stack.http).get(`/v1/jobs/${job!.id}`).set(auth(ALICE))).body.status).toBe('running');
      expect((await request(stack.http).get(`/v1/jobs/${job!.id}`).set(auth(BOB))).status).toBe(404);
      expect((await request(stack.http).get(`/v1/jobs/${job!.id}/events`).set(auth(BOB))).status).toBe(404);
      c.ws.close();
      await c.closed;
      expect(await idle()).toBe(0);
      expect((await request(stack.http).get(`/v1/jobs/${job!.id}`).set(auth(ALICE))).body.status).toBe('cancelled');
    });
  });
});
