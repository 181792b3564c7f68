/**
 * Access control and admission: API keys and scopes, per-key rate limits shared through Redis,
 * active-job and queue-length admission, Idempotency-Key. Real Redis, the real API; no worker is
 * needed (jobs stay queued, which is what the quotas count).
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { createApi } from '../../apps/api/src/bootstrap';
import { startStack, type Stack } from '../support/stack';

const sha = (k: string) => createHash('sha256').update(k).digest('hex');
const CI = 'ci-secret-0123456789abcdef';
const OPS = 'ops-secret-0123456789abcdef';
const OTHER = 'other-secret-0123456789abcdef';
const keys = `ci:submit:${sha(CI)},ops:admin:${sha(OPS)},other:submit:${sha(OTHER)}`;
const job = { language: 'python', source: 'print(1)' };
const auth = (k: string) => ({ Authorization: `Bearer ${k}` });

describe('API keys and scopes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { API_KEYS: keys } });
  });
  afterAll(() => stack?.stop());

  it('refuses a request without a key, or with a wrong one, with 401', async () => {
    const none = await request(stack.http).post('/v1/jobs').send(job);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/Bearer/);
    expect(none.body).toMatchObject({ statusCode: 401, message: expect.stringMatching(/API key/) });
    expect((await request(stack.http).get('/v1/languages').set(auth('nope'))).status).toBe(401);
    expect(
      (
        await request(stack.http)
          .get('/v1/languages')
          .set({ Authorization: `Basic ${CI}` })
      ).status,
    ).toBe(401);
  });

  it('lets a submit key submit and read, but not read metrics', async () => {
    const res = await request(stack.http).post('/v1/jobs').set(auth(CI)).send(job);
    expect(res.status).toBe(202);
    expect((await request(stack.http).get(`/v1/jobs/${res.body.id}`).set(auth(CI))).status).toBe(200);
    const metrics = await request(stack.http).get('/metrics').set(auth(CI));
    expect(metrics.status).toBe(403);
    expect(metrics.body.message).toMatch(/admin/);
  });

  it('lets an admin key read metrics', async () => {
    const res = await request(stack.http).get('/metrics').set(auth(OPS));
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/runbox_/);
  });

  it('keeps health probes open', async () => {
    expect((await request(stack.http).get('/health/live')).status).toBe(200);
  });
});

describe('rate limit', () => {
  const LIMIT = 20;
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { API_KEYS: keys, RATE_LIMIT_PER_MIN: String(LIMIT) } });
  });
  afterAll(() => stack?.stop());

  it('lets 16 concurrent clients poll their jobs without a 429; reads carry no rate headers and spend nothing', async () => {
    // The budget is a fixed wall-clock minute: start in a fresh one, so the count below cannot be
    // reset half-way by the window rolling over.
    const intoMinuteMs = Date.now() % 60_000;
    if (intoMinuteMs > 30_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinuteMs + 100));
    const ids = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const res = await request(stack.http).post('/v1/jobs').set(auth(CI)).send(job);
        expect(res.status).toBe(202);
        return res.body.id as string;
      }),
    );
    // Each client polls its job, the batch read and the language table far past the budget (no
    // worker here: the jobs stay queued, as a slow queue would keep them).
    const statuses = await Promise.all(
      ids.map(async (id) => {
        const seen: number[] = [];
        for (let i = 0; i < 8; i++) {
          for (const path of [`/v1/jobs/${id}`, `/v1/jobs?ids=${ids.join(',')}`, '/v1/languages']) {
            const res = await request(stack.http).get(path).set(auth(CI));
            expect(res.headers['ratelimit-limit']).toBeUndefined();
            seen.push(res.status);
          }
        }
        return seen;
      }),
    );
    expect(statuses.flat().filter((s) => s !== 200)).toEqual([]); // 384 reads, all answered
    // The 16 submissions, and only they, were counted: 4 of 20 left.
    const next = await request(stack.http).post('/v1/jobs').set(auth(CI)).send(job);
    expect(next.status).toBe(202);
    expect(next.headers['ratelimit-limit']).toBe(String(LIMIT));
    expect(next.headers['ratelimit-remaining']).toBe('3');
  });

  it('counts submissions and cancels per key across API processes, answers 429 with RateLimit and Retry-After headers, and never charges unauthenticated requests', async () => {
    for (let i = 0; i < 10; i++) expect((await request(stack.http).post('/v1/jobs').set(auth('wrong')).send(job)).status).toBe(401);
    const second = await createApi(stack.config); // another API process on the same Redis
    try {
      const first = await request(stack.http).post('/v1/jobs').set(auth(OPS)).send(job);
      expect(first.status).toBe(202);
      expect(first.headers['ratelimit-limit']).toBe(String(LIMIT));
      expect(first.headers['ratelimit-remaining']).toBe(String(LIMIT - 1)); // the ten 401s cost nothing
      const cancel = await request(second.getHttpServer()).delete(`/v1/jobs/${first.body.id}`).set(auth(OPS));
      expect(cancel.status).toBe(200);
      expect(cancel.headers['ratelimit-remaining']).toBe(String(LIMIT - 2));
      for (let i = 0; i < LIMIT - 2; i++) {
        const res = await request(i % 2 ? second.getHttpServer() : stack.http)
          .post('/v1/jobs')
          .set(auth(OPS))
          .send(job);
        expect(res.status).toBe(202);
        expect(res.headers['ratelimit-remaining']).toBe(String(LIMIT - 3 - i));
      }
      const limited = await request(stack.http).post('/v1/jobs').set(auth(OPS)).send(job);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.headers['ratelimit-limit']).toBe(String(LIMIT));
      expect(limited.headers['ratelimit-remaining']).toBe('0');
      expect(Number(limited.headers['ratelimit-reset'])).toBe(Number(limited.headers['retry-after']));
      expect(limited.body.statusCode).toBe(429);
      // Reading stays open past the budget; another key is not affected.
      expect((await request(stack.http).get(`/v1/jobs/${first.body.id}`).set(auth(OPS))).status).toBe(200);
      expect((await request(stack.http).post('/v1/jobs').set(auth(OTHER)).send(job)).status).toBe(202);
    } finally {
      await second.close();
    }
  });
});

describe('rate limit without keys', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { RATE_LIMIT_PER_MIN: '2', TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => stack?.stop());

  it('does not limit callers on loopback, and still limits a remote client a trusted proxy names', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await request(stack.http).post('/v1/jobs').send(job);
      expect(res.status).toBe(202);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
    const remote = () => request(stack.http).post('/v1/jobs').set('X-Forwarded-For', '203.0.113.7').send(job);
    expect((await remote()).headers['ratelimit-remaining']).toBe('1');
    expect((await remote()).status).toBe(202);
    expect((await remote()).status).toBe(429);
  });
});

describe('admission', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { API_KEYS: keys, MAX_ACTIVE_JOBS_PER_KEY: '2', MAX_QUEUE_LENGTH: '3' } });
  });
  afterAll(() => stack?.stop());

  it('limits queued+running jobs per key (429) and the queue overall (503 with Retry-After)', async () => {
    expect((await request(stack.http).post('/v1/jobs').set(auth(CI)).send(job)).status).toBe(202);
    expect((await request(stack.http).post('/v1/jobs').set(auth(CI)).send(job)).status).toBe(202);
    const third = await request(stack.http).post('/v1/jobs').set(auth(CI)).send(job);
    expect(third.status).toBe(429);
    expect(third.body.message).toMatch(/queued or running/);
    expect((await request(stack.http).post('/v1/jobs').set(auth(OTHER)).send(job)).status).toBe(202);
    const full = await request(stack.http).post('/v1/jobs').set(auth(OTHER)).send(job);
    expect(full.status).toBe(503);
    expect(full.headers['retry-after']).toBeDefined();
    expect(full.body.message).toMatch(/queue is full/);
  });
});

describe('Idempotency-Key', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { API_KEYS: keys } });
  });
  afterAll(() => stack?.stop());

  it('returns the same job for the same key and body, refuses another body, and is per API key', async () => {
    const first = await request(stack.http).post('/v1/jobs').set(auth(CI)).set('Idempotency-Key', 'order-42').send(job);
    expect(first.status).toBe(202);
    const again = await request(stack.http).post('/v1/jobs').set(auth(CI)).set('Idempotency-Key', 'order-42').send(job);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const changed = await request(stack.http)
      .post('/v1/jobs')
      .set(auth(CI))
      .set('Idempotency-Key', 'order-42')
      .send({ ...job, stdin: 'x' });
    expect(changed.status).toBe(422);
    expect(changed.body.errors).toEqual([expect.objectContaining({ field: 'Idempotency-Key', rule: 'sameBody' })]);
    const otherKey = await request(stack.http).post('/v1/jobs').set(auth(OTHER)).set('Idempotency-Key', 'order-42').send(job);
    expect(otherKey.status).toBe(202);
    expect(otherKey.body.id).not.toBe(first.body.id);
  });

  it('creates one job for concurrent retries', async () => {
    const all = await Promise.all(
      Array.from({ length: 8 }, () => request(stack.http).post('/v1/jobs').set(auth(CI)).set('Idempotency-Key', 'burst').send(job)),
    );
    expect(new Set(all.map((r) => r.body.id)).size).toBe(1);
  });

  it('refuses a malformed key with 400 naming the header', async () => {
    const res = await request(stack.http).post('/v1/jobs').set(auth(CI)).set('Idempotency-Key', 'x'.repeat(300)).send(job);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('Idempotency-Key');
  });
});
