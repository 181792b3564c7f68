/**
 * Open by accident: an API without keys refuses to listen beyond loopback unless ALLOW_OPEN is
 * set; with keys, /docs needs a key like every other route; behind a proxy (TRUST_PROXY) the
 * per-address quota counts the client the proxy names, and without it X-Forwarded-For is not
 * believed. The start-up cases run the real entry point (apps/api/dist/main.js) as a process;
 * it only ever binds on this host, and the test talks to it over 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import request from 'supertest';
import { startStack, testRedisUrl, uniquePrefix, type Stack } from '../support/stack';

jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '../..');
const sha = (k: string) => createHash('sha256').update(k).digest('hex');
const KEY = 'docs-secret-0123456789abcdef';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** How a started API process ended up: it exited (with its output), or it answers on `port`. */
async function startApi(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; exitCode: number | null; output: string; listening: boolean }> {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(ROOT, 'apps/api/dist/main.js')], {
    env: {
      PATH: process.env.PATH,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: uniquePrefix(),
      LOG_LEVEL: 'silent',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return { child, exitCode: child.exitCode, output, listening: false };
    const live = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (live) return { child, exitCode: null, output, listening: true };
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, exitCode: child.exitCode, output, listening: false };
}

describe('an API without keys listens on loopback only', () => {
  const started: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of started.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    }
  });

  it('refuses HOST=0.0.0.0 without keys, saying why and how to allow it', async () => {
    const api = await startApi({ HOST: '0.0.0.0' });
    started.push(api.child);
    expect(api.listening).toBe(false);
    expect(api.exitCode).toBe(1);
    expect(api.output).toMatch(/HOST=0\.0\.0\.0.*no API keys/);
    expect(api.output).toMatch(/ALLOW_OPEN=true/);
  });

  it('starts on 0.0.0.0 with ALLOW_OPEN=true, or with keys', async () => {
    const open = await startApi({ HOST: '0.0.0.0', ALLOW_OPEN: 'true' });
    started.push(open.child);
    expect(open.listening).toBe(true);
    const keyed = await startApi({ HOST: '0.0.0.0', API_KEYS: `ci:submit:${sha(KEY)}` });
    started.push(keyed.child);
    expect(keyed.listening).toBe(true);
  });

  it('starts on loopback without keys', async () => {
    const api = await startApi({ HOST: '127.0.0.1' });
    started.push(api.child);
    expect(api.listening).toBe(true);
  });
});

describe('/docs with keys configured', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { API_KEYS: `ci:submit:${sha(KEY)}` } });
  });
  afterAll(() => stack?.stop());

  it.each(['/docs', '/docs-json', '/docs-yaml'])('%s needs a key (401 without, 200 with)', async (path) => {
    const none = await request(stack.http).get(path);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 401, message: expect.stringMatching(/API key/) });
    const keyed = await request(stack.http)
      .get(path)
      .set({ Authorization: `Bearer ${KEY}` })
      .redirects(1);
    expect(keyed.status).toBe(200);
  });

  it('keeps /metrics for admin keys', async () => {
    expect((await request(stack.http).get('/metrics')).status).toBe(401);
    expect(
      (
        await request(stack.http)
          .get('/metrics')
          .set({ Authorization: `Bearer ${KEY}` })
      ).status,
    ).toBe(403);
  });
});

describe('the per-address quota behind a proxy', () => {
  // Submissions: reads spend no rate budget.
  const from = (stack: Stack, client: string) =>
    request(stack.http).post('/v1/jobs').set('X-Forwarded-For', client).send({ language: 'python', source: 'print(1)' });

  it('counts the client X-Forwarded-For names when TRUST_PROXY trusts the peer', async () => {
    const stack = await startStack({ env: { RATE_LIMIT_PER_MIN: '2', TRUST_PROXY: 'loopback' } });
    try {
      expect((await from(stack, '203.0.113.7')).status).toBe(202);
      expect((await from(stack, '203.0.113.7')).status).toBe(202);
      expect((await from(stack, '203.0.113.7')).status).toBe(429);
      expect((await from(stack, '203.0.113.8')).status).toBe(202); // another client behind the same balancer
    } finally {
      await stack.stop();
    }
  });

  it('ignores X-Forwarded-For without TRUST_PROXY, so a client cannot pick its own quota', async () => {
    const stack = await startStack({ env: { RATE_LIMIT_PER_MIN: '2' } });
    try {
      // The caller stays the loopback peer it is, which an open API does not rate-limit: a
      // forged address neither gets a quota of its own nor is counted as remote.
      for (const client of ['203.0.113.7', '203.0.113.8', '203.0.113.9']) {
        const res = await from(stack, client);
        expect(res.status).toBe(202);
        expect(res.headers['ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await stack.stop();
    }
  });
});
