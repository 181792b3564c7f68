/**
 * Jobs as the API keeps them, without the real worker: queued jobs read and cancelled, batches
 * queued and listed (no consumer at all), then a stand-in BullMQ consumer on the queue (not the
 * real worker) that drives jobs to each end, for the API's side of ?wait=true and cancel.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import request from 'supertest';
import { CANCEL_CHANNEL, CANCELLED_REASON, JOBS_QUEUE, type JobData, type JobResult } from '@runbox/contract';
import { jobKey, recordJobEnd, toJobView } from '@runbox/queue';
import { GOOD_JOB, UNKNOWN_ID, useApiAlone } from '../support/api-alone';
import { bodies } from '../support/bodies';
import { startStack, testRedisUrl, type Stack } from '../support/stack';
import { STAND_IN_RESULT } from '../support/stand-in';

jest.setTimeout(120_000);

describe('API without a worker', () => {
  const { http, finishedCount } = useApiAlone();

  describe('GET and DELETE /v1/jobs/{id}', () => {
    it.each([UNKNOWN_ID, 'nope', 'x'.repeat(300), '..%2F..%2Fetc', '%00'])('404 for the unknown id %s', async (id) => {
      const res = await http().get(`/v1/jobs/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(bodies.notFound());
      expect((await http().delete(`/v1/jobs/${id}`)).status).toBe(404);
    });

    it('400, not 500, for an id that does not decode', async () => {
      const res = await http().get('/v1/jobs/%E0%A4%A');
      expect(res.status).toBe(400);
    });

    it('cancels a queued job: 200 cancelled, GET shows cancelled, counted in the metrics, a second DELETE is 409', async () => {
      const cancelledBefore = await finishedCount('cancelled', 'none');
      const { body: job } = await http().post('/v1/jobs').send(GOOD_JOB);
      const del = await http().delete(`/v1/jobs/${job.id}`);
      expect(del.status).toBe(200);
      expect(del.body).toMatchObject({ id: job.id, status: 'cancelled', language: 'python', finishedAt: expect.any(String), result: null });
      const got = await http().get(`/v1/jobs/${job.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ id: job.id, status: 'cancelled' });
      expect(await finishedCount('cancelled', 'none')).toBe(cancelledBefore + 1);
      const again = await http().delete(`/v1/jobs/${job.id}`);
      expect(again.status).toBe(409);
      expect(again.body).toEqual(bodies.conflict());
      expect(again.body.message).toMatch(/cancelled/);
    });
  });

  describe('batch', () => {
    it('queues a batch (202 with ids) and reads it back with ?ids=', async () => {
      const res = await http()
        .post('/v1/jobs/batch')
        .send({ jobs: [GOOD_JOB, { language: 'bash', source: 'echo 1' }] });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ ids: [expect.any(String), expect.any(String)] });
      const [a, b] = res.body.ids;
      const list = await http().get(`/v1/jobs?ids=${a},${UNKNOWN_ID},${b},${a}`);
      expect(list.status).toBe(200);
      expect(list.body.jobs.map((j: { id: string; status: string }) => [j.id, j.status])).toEqual([
        [a, 'queued'],
        [b, 'queued'],
      ]);
      expect(list.body.notFound).toEqual([UNKNOWN_ID]);
      expect((await http().get(`/v1/jobs?ids= junk ,${a}`)).body).toEqual({
        jobs: [expect.objectContaining({ id: a })],
        notFound: ['junk'],
      });
    });

    it('checks every job first and names the bad one by index; nothing is queued', async () => {
      const waiting = async () => Number(/runbox_queue_jobs\{state="waiting"\} (\d+)/.exec((await http().get('/metrics')).text)?.[1]);
      const before = await waiting();
      const bad = await http()
        .post('/v1/jobs/batch')
        .send({ jobs: [GOOD_JOB, GOOD_JOB, { source: 'x' }] });
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual(bodies.invalid('jobs[2].language', 'isDefined'));
      const unknown = await http()
        .post('/v1/jobs/batch')
        .send({ jobs: [GOOD_JOB, { language: 'cobol', source: 'x' }] });
      expect(unknown.status).toBe(422);
      expect(unknown.body).toEqual(bodies.unknownLanguage('jobs[1].language'));
      const limit = await http()
        .post('/v1/jobs/batch')
        .send({ jobs: [GOOD_JOB, { ...GOOD_JOB, limits: { memoryMb: 100_000 } }] });
      expect(limit.status).toBe(422);
      expect(limit.body).toEqual(bodies.limitAboveMaximum('jobs[1].limits.memoryMb', 512));
      expect(await waiting()).toBe(before);
    });

    it.each<[string, object, number, object]>([
      ['too many jobs', { jobs: [GOOD_JOB, GOOD_JOB, GOOD_JOB, GOOD_JOB] }, 413, bodies.tooLarge('jobs', 'maxItems', 3)],
      ['no jobs', { jobs: [] }, 400, bodies.invalid('jobs', 'arrayMinSize')],
      ['jobs missing', {}, 400, bodies.invalid('jobs', 'isDefined')],
      ['jobs not an array', { jobs: GOOD_JOB }, 400, bodies.invalid('jobs', 'isArray')],
      ['a job that is not an object', { jobs: [GOOD_JOB, 'x'] }, 400, bodies.invalid('jobs', 'isObject')],
    ])('rejects a batch with %s', async (_, body, status, expected) => {
      const res = await http().post('/v1/jobs/batch').send(body);
      expect(res.status).toBe(status);
      expect(res.body).toEqual(expected);
    });

    it('rejects ?ids= that is missing, empty or too long', async () => {
      expect((await http().get('/v1/jobs')).body).toEqual(bodies.invalid('ids', 'isDefined'));
      expect((await http().get('/v1/jobs?ids=')).body).toEqual(bodies.invalid('ids', 'isNotEmpty'));
      const res = await http().get(
        `/v1/jobs?ids=${[1, 2, 3, 4].map(() => UNKNOWN_ID.replace('0000-4', `${Math.random()}`.slice(2, 6) + '-4')).join(',')}`,
      );
      expect(res.status).toBe(413);
      expect(res.body).toEqual(bodies.tooLarge('ids', 'maxItems', 3));
    });
  });
});

describe('API with a stand-in consumer on the queue', () => {
  let stack: Stack;
  let subscriber: Redis;
  let publisher: Redis;
  let consumer: Worker<JobData, JobResult>;
  const hanging = new Map<string, () => void>();
  const http = () => request(stack.http);
  const result = STAND_IN_RESULT;

  /**
   * stdin says what to do: `ok` completes, `slow` a bit later, `silent` completes but its final
   * event is lost, `crash` fails (runbox's own failure), `hang` runs until cancelled.
   */
  async function consume(job: Job<JobData, JobResult>): Promise<JobResult> {
    if (job.data.stdin === 'slow' || job.data.stdin === 'silent') await new Promise((r) => setTimeout(r, 100));
    if (job.data.stdin === 'crash') throw new UnrecoverableError('launcher exploded');
    if (job.data.stdin === 'hang') {
      await new Promise<void>((resolve) => hanging.set(job.id!, resolve));
      throw new UnrecoverableError(CANCELLED_REASON);
    }
    return result;
  }

  beforeAll(async () => {
    stack = await startStack({ env: { WAIT_MAX_MS: '5000' } });
    const url = new URL(testRedisUrl());
    consumer = new Worker<JobData, JobResult>(JOBS_QUEUE, consume, {
      connection: { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null },
      prefix: stack.config.redis.prefix,
      concurrency: 4,
    });
    publisher = new Redis(testRedisUrl());
    // As a runbox worker does once BullMQ has recorded a job's end: its final event, with its view.
    const ended = (job: Job<JobData, JobResult>, state: 'completed' | 'failed') => {
      if (job.data.stdin === 'silent') return;
      const view = toJobView(job, state);
      void recordJobEnd(publisher, stack.config, {
        id: job.id!,
        status: view.status as 'completed' | 'failed' | 'cancelled',
        language: job.data.language,
        view,
      });
    };
    consumer.on('completed', (job) => ended(job, 'completed'));
    consumer.on('failed', (job) => job && ended(job, 'failed'));
    subscriber = new Redis(testRedisUrl());
    await subscriber.subscribe(jobKey(stack.config, CANCEL_CHANNEL));
    subscriber.on('message', (_channel: string, id: string) => hanging.get(id)?.());
    await consumer.waitUntilReady();
  });
  afterAll(async () => {
    for (const release of hanging.values()) release();
    await consumer?.close();
    subscriber?.disconnect();
    publisher?.disconnect();
    await stack?.stop();
  });

  it('?wait=true answers 200 with the completed job and its result', async () => {
    const res = await http()
      .post('/v1/jobs?wait=true')
      .send({ ...GOOD_JOB, stdin: 'ok' });
    expect(res.status).toBe(200);
    expect(res.headers.location).toBe(`/v1/jobs/${res.body.id}`);
    expect(res.body).toMatchObject({ status: 'completed', result, startedAt: expect.any(String), finishedAt: expect.any(String) });
  });

  it('?wait=true answers 200 with a failed job and the reason', async () => {
    const res = await http()
      .post('/v1/jobs?wait=true')
      .send({ ...GOOD_JOB, stdin: 'crash' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', error: 'launcher exploded', result: null });
  });

  it('?wait=true still answers 200 when the final event is lost (it reads the job again while it waits)', async () => {
    const res = await http()
      .post('/v1/jobs?wait=true')
      .send({ ...GOOD_JOB, stdin: 'silent' });
    expect(res.status).toBe(200); // within WAIT_MAX_MS (5 s): a recheck saw the end
    expect(res.body).toMatchObject({ status: 'completed', result });
  });

  it('holds many waits at once, each answered when its job ends', async () => {
    const all = await Promise.all(
      Array.from({ length: 30 }, () =>
        http()
          .post('/v1/jobs?wait=true')
          .send({ ...GOOD_JOB, stdin: 'slow' }),
      ),
    );
    expect(all.map((r) => [r.status, r.body.status])).toEqual(all.map(() => [200, 'completed']));
  });

  it('cancels a running job through the worker: 200 cancelled; then 409', async () => {
    const { body: job } = await http()
      .post('/v1/jobs')
      .send({ ...GOOD_JOB, stdin: 'hang' });
    for (let i = 0; i < 100 && !hanging.has(job.id); i++) await new Promise((r) => setTimeout(r, 20));
    expect((await http().get(`/v1/jobs/${job.id}`)).body.status).toBe('running');
    const del = await http().delete(`/v1/jobs/${job.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ id: job.id, status: 'cancelled', startedAt: expect.any(String), finishedAt: expect.any(String) });
    expect((await http().get(`/v1/jobs/${job.id}`)).body.status).toBe('cancelled');
    expect((await http().delete(`/v1/jobs/${job.id}`)).status).toBe(409);
  });

  it('409 for cancelling a completed job', async () => {
    const { body: job } = await http()
      .post('/v1/jobs?wait=true')
      .send({ ...GOOD_JOB, stdin: 'ok' });
    const del = await http().delete(`/v1/jobs/${job.id}`);
    expect(del.status).toBe(409);
    expect(del.body).toEqual(bodies.conflict());
    expect(del.body.message).toMatch(/completed/);
  });
});
