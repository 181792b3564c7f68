/**
 * Tenants: with API keys configured, a job belongs to the key that submitted it. Another submit
 * key reading, streaming, batch-reading or cancelling it gets exactly what an unknown id gets;
 * an admin key sees every job. Real Redis and the real API; no worker is needed (queued jobs
 * and cancelled jobs' tombstones are what is read).
 */
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { bodies } from '../support/bodies';
import { startStack, testRedisUrl, type Stack } from '../support/stack';

const sha = (k: string) => createHash('sha256').update(k).digest('hex');
const ALICE = 'alice-secret-0123456789abcdef';
const BOB = 'bob-secret-0123456789abcdef';
const OPS = 'ops-secret-0123456789abcdef';
const KEYS = `alice:submit:${sha(ALICE)},bob:submit:${sha(BOB)},ops:admin:${sha(OPS)}`;
const auth = (k: string) => ({ Authorization: `Bearer ${k}` });
const job = { language: 'python', source: 'print("alice private output")' };

describe('a job is visible only to the key that submitted it', () => {
  let stack: Stack;
  const http = () => request(stack.http);
  const submit = async (key: string) => {
    const res = await http().post('/v1/jobs').set(auth(key)).send(job);
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  /** A 404 body with its id taken out: the same for any id the caller may not see. */
  const anonymous = (body: { message: string }, id: string) => ({ ...body, message: body.message.replace(id, '<id>') });

  beforeAll(async () => {
    stack = await startStack({ env: { API_KEYS: KEYS } });
  });
  afterAll(() => stack?.stop());

  it("answers another key's GET exactly as for an unknown id", async () => {
    const id = await submit(ALICE);
    const unknown = randomUUID();
    expect((await http().get(`/v1/jobs/${id}`).set(auth(ALICE))).status).toBe(200);
    const foreign = await http().get(`/v1/jobs/${id}`).set(auth(BOB));
    const missing = await http().get(`/v1/jobs/${unknown}`).set(auth(BOB));
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(bodies.notFound());
    expect(anonymous(foreign.body, id)).toEqual(anonymous(missing.body, unknown));
    expect(JSON.stringify(foreign.body)).not.toMatch(/alice|python/);
  });

  it('does the same Redis work for a foreign job as for an unknown id', async () => {
    const id = await submit(ALICE);
    const redis = new Redis(testRedisUrl());
    /** Redis calls per command while `fn` runs (this test file is alone on the test Redis). */
    const commandsOf = async (fn: () => Promise<unknown>) => {
      await redis.config('RESETSTAT');
      await fn();
      const stats = await redis.info('commandstats');
      return Object.fromEntries(
        [...stats.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)]
          .filter(([, cmd]) => !['config', 'info'].includes(cmd!))
          .map(([, cmd, n]) => [cmd, Number(n)]),
      );
    };
    try {
      for (const route of [
        (x: string) => http().get(`/v1/jobs/${x}`),
        (x: string) => http().delete(`/v1/jobs/${x}`),
        (x: string) => http().get(`/v1/jobs/${x}/events`),
      ]) {
        const foreign = await commandsOf(() => route(id).set(auth(BOB)));
        const unknown = await commandsOf(() => route(randomUUID()).set(auth(BOB)));
        expect(foreign).toEqual(unknown);
        expect(foreign.hgetall).toBe(1); // the job's record was read: the same one transaction
      }
    } finally {
      redis.disconnect();
    }
  });

  it("refuses another key's DELETE with 404 and leaves the job queued", async () => {
    const id = await submit(ALICE);
    const foreign = await http().delete(`/v1/jobs/${id}`).set(auth(BOB));
    const unknownId = randomUUID();
    const missing = await http().delete(`/v1/jobs/${unknownId}`).set(auth(BOB));
    expect(foreign.status).toBe(404);
    expect(anonymous(foreign.body, id)).toEqual(anonymous(missing.body, unknownId));
    expect((await http().get(`/v1/jobs/${id}`).set(auth(ALICE))).body.status).toBe('queued');
  });

  it("refuses another key's event stream with the 404 body", async () => {
    const id = await submit(ALICE);
    const foreign = await http().get(`/v1/jobs/${id}/events`).set(auth(BOB));
    expect(foreign.status).toBe(404);
    expect(foreign.headers['content-type']).toMatch(/application\/json/);
    expect(foreign.body).toEqual(bodies.notFound());
  });

  it("lists another key's ids under notFound in a batch read, as unknown ones", async () => {
    const alices = await submit(ALICE);
    const bobs = await submit(BOB);
    const unknown = randomUUID();
    const res = await http().get(`/v1/jobs?ids=${alices},${bobs},${unknown}`).set(auth(BOB));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ jobs: [expect.objectContaining({ id: bobs })], notFound: [alices, unknown] });
  });

  it("keeps a cancelled job its owner's: the tombstone answers 404 to others, not 409", async () => {
    const id = await submit(ALICE);
    expect((await http().delete(`/v1/jobs/${id}`).set(auth(ALICE))).body.status).toBe('cancelled');
    expect((await http().get(`/v1/jobs/${id}`).set(auth(ALICE))).body.status).toBe('cancelled');
    expect((await http().delete(`/v1/jobs/${id}`).set(auth(ALICE))).status).toBe(409);
    expect((await http().get(`/v1/jobs/${id}`).set(auth(BOB))).status).toBe(404);
    const again = await http().delete(`/v1/jobs/${id}`).set(auth(BOB));
    expect(again.status).toBe(404);
    expect(again.body).toEqual(bodies.notFound());
    expect((await http().get(`/v1/jobs?ids=${id}`).set(auth(BOB))).body).toEqual({ jobs: [], notFound: [id] });
  });

  it('lets an admin key read, batch-read and cancel any job', async () => {
    const alices = await submit(ALICE);
    const bobs = await submit(BOB);
    expect((await http().get(`/v1/jobs/${alices}`).set(auth(OPS))).status).toBe(200);
    const list = await http().get(`/v1/jobs?ids=${alices},${bobs}`).set(auth(OPS));
    expect(list.body).toEqual({ jobs: [expect.objectContaining({ id: alices }), expect.objectContaining({ id: bobs })], notFound: [] });
    const cancelled = await http().delete(`/v1/jobs/${bobs}`).set(auth(OPS));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await http().get(`/v1/jobs/${bobs}`).set(auth(BOB))).body.status).toBe('cancelled');
  });

  it("does not let an admin's own job be read by a submit key", async () => {
    const id = await submit(OPS);
    expect((await http().get(`/v1/jobs/${id}`).set(auth(ALICE))).status).toBe(404);
  });

  it("keeps Idempotency-Key per key: another key's same key makes its own job", async () => {
    const first = await http().post('/v1/jobs').set(auth(ALICE)).set('Idempotency-Key', 'tenant-1').send(job);
    const other = await http().post('/v1/jobs').set(auth(BOB)).set('Idempotency-Key', 'tenant-1').send(job);
    expect(other.status).toBe(202);
    expect(other.body.id).not.toBe(first.body.id);
    expect((await http().get(`/v1/jobs/${first.body.id}`).set(auth(BOB))).status).toBe(404);
  });
});
