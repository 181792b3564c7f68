/**
 * The API on its own: real Redis, the production bootstrap, no worker. Every bad input gets its
 * 4xx naming the field and the rule; jobs are queued, read, listed and cancelled while queued;
 * health, languages, metrics and the OpenAPI document answer; and no input of any shape, on any
 * route, gets a 5xx (property-based). A last block puts a stand-in BullMQ consumer (not the real
 * worker) on the queue to drive jobs to each end, for the API's side of ?wait=true and cancel.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import request from 'supertest';
import {
  CANCEL_CHANNEL,
  CANCELLED_REASON,
  JOBS_QUEUE,
  WORKER_HEARTBEAT_KEY,
  type JobData,
  type JobResult,
  type WorkerHeartbeat,
} from '@runbox/contract';
import { countJobFinished, jobKey, recordJobEnd, recordSandboxFailure, toJobView } from '@runbox/queue';
import { bodies } from '../support/bodies';
import { startStack, testRedisUrl, type Stack } from '../support/stack';
import { STAND_IN_RESULT } from '../support/stand-in';

jest.setTimeout(120_000);

const CAPS = {
  MAX_FILES: '3',
  MAX_FILE_BYTES: '1000',
  MAX_STDIN_BYTES: '100',
  MAX_ARGS: '4',
  MAX_ARG_BYTES: '10',
  MAX_TESTS: '3',
  MAX_BATCH: '3',
  MAX_MEMORY_MB: '512',
  BODY_LIMIT_BYTES: '20000',
  WAIT_MAX_MS: '300',
};
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const good = { language: 'python', source: 'print(input())', stdin: 'hi\n' };

describe('API without a worker', () => {
  let stack: Stack;
  let redis: Redis;
  const http = () => request(stack.http);
  /** runbox_jobs_finished_total{status, verdict} as /metrics shows it now (0 when absent). */
  const finishedCount = async (status: string, verdict: string) => {
    const m = new RegExp(`^runbox_jobs_finished_total\\{status="${status}",verdict="${verdict}"\\} (\\d+)$`, 'm').exec(
      (await http().get('/metrics')).text,
    );
    return m ? Number(m[1]) : 0;
  };

  beforeAll(async () => {
    stack = await startStack({ env: CAPS });
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    redis?.disconnect();
    await stack?.stop();
  });

  describe('POST /v1/jobs', () => {
    it('queues a job: 202, Location, the job view; GET shows it queued', async () => {
      const res = await http().post('/v1/jobs').send(good);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'queued',
        language: 'python',
        createdAt: expect.any(String),
        startedAt: null,
        finishedAt: null,
        result: null,
      });
      expect(res.headers.location).toBe(`/v1/jobs/${res.body.id}`);
      const got = await http().get(res.headers.location!);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ id: res.body.id, status: 'queued', language: 'python' });
    });

    it('answers with the canonical language id for an alias', async () => {
      const res = await http().post('/v1/jobs').send({ language: 'C++', source: 'int main(){}' });
      expect(res.status).toBe(202);
      expect(res.body.language).toBe('cpp');
    });

    it('?wait=true answers 202 with the queued job when the wait maximum passes first', async () => {
      const started = Date.now();
      const res = await http().post('/v1/jobs?wait=true').send(good);
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('queued');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(res.headers.location).toBe(`/v1/jobs/${res.body.id}`);
    });

    it.each([
      ['?wait=maybe', 'wait', 'isIn'],
      ['?wait=true&wait=false', 'wait', 'isIn'],
      ['?debug=1', 'debug', 'unknownField'],
    ])('rejects the query %s', async (query, field, rule) => {
      const res = await http().post(`/v1/jobs${query}`).send(good);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(bodies.invalid(field, rule));
    });

    const file = (path: string, content = '', encoding?: string) => ({ path, content, ...(encoding ? { encoding } : {}) });
    it.each<[string, object, string, string]>([
      ['no language', { source: 'x' }, 'language', 'isDefined'],
      ['a numeric language', { language: 3, source: 'x' }, 'language', 'isString'],
      ['an empty language', { language: '', source: 'x' }, 'language', 'isNotEmpty'],
      ['neither source nor files', { language: 'python' }, 'source', 'exactlyOneOf'],
      ['both source and files', { language: 'python', source: 'x', files: [file('a.py')] }, 'source', 'exactlyOneOf'],
      ['a numeric source', { language: 'python', source: 42 }, 'source', 'isString'],
      ['an unknown field', { ...good, evil: true }, 'evil', 'unknownField'],
      ['an unknown nested field', { ...good, limits: { memoryMb: 64, swapMb: 1 } }, 'limits.swapMb', 'unknownField'],
      ['a limit below the minimum', { ...good, limits: { memoryMb: 7 } }, 'limits.memoryMb', 'min'],
      ['a limit as a string', { ...good, limits: { memoryMb: '256' } }, 'limits.memoryMb', 'isInt'],
      ['a fractional limit', { ...good, limits: { cpuTimeMs: 1.5 } }, 'limits.cpuTimeMs', 'isInt'],
      ['limits as a string', { ...good, limits: 'big' }, 'limits', 'isObject'],
      ['limits as an array', { ...good, limits: [1] }, 'limits', 'isObject'],
      ['files as an object', { language: 'python', files: { path: 'a' } }, 'files', 'isArray'],
      ['an empty files array', { language: 'python', files: [] }, 'files', 'arrayMinSize'],
      ['a file that is a string', { language: 'python', files: ['main.py'] }, 'files', 'isObject'],
      ['a path escaping the box', { language: 'c', files: [file('../etc/passwd')] }, 'files[0].path', 'safePath'],
      ['an absolute path', { language: 'c', files: [file('main.c'), file('/etc/passwd')] }, 'files[1].path', 'safePath'],
      ['a path with a space', { language: 'c', files: [file('my file.c')] }, 'files[0].path', 'safePath'],
      ['duplicate paths', { language: 'c', files: [file('main.c'), file('main.c')] }, 'files', 'uniquePaths'],
      ['base64 that does not decode', { language: 'c', files: [file('main.c', '@@@', 'base64')] }, 'files[0].content', 'base64'],
      ['an unknown encoding', { language: 'c', files: [file('main.c', '00', 'hex')] }, 'files[0].encoding', 'isIn'],
      ['a file without content', { language: 'c', files: [{ path: 'main.c' }] }, 'files[0].content', 'isString'],
      ['stdin as a number', { ...good, stdin: 1 }, 'stdin', 'isString'],
      ['args as a string', { ...good, args: '--fast' }, 'args', 'isArray'],
      ['a numeric arg', { ...good, args: ['a', 2] }, 'args', 'isString'],
      ['an empty tests array', { ...good, tests: [] }, 'tests', 'arrayMinSize'],
      ['negative points', { ...good, tests: [{ points: -1 }] }, 'tests[0].points', 'min'],
      ['a test that is a string', { ...good, tests: ['t1'] }, 'tests', 'isObject'],
      ['an unknown checker', { ...good, checker: { type: 'regex' } }, 'checker.type', 'isIn'],
      [
        'a tolerance on a lines checker',
        { ...good, checker: { type: 'lines', absoluteTolerance: 0.1 } },
        'checker.absoluteTolerance',
        'onlyWhen',
      ],
      ['a negative tolerance', { ...good, checker: { type: 'float', relativeTolerance: -1 } }, 'checker.relativeTolerance', 'min'],
      ['a custom checker without language', { ...good, checker: { type: 'custom', source: 'x' } }, 'checker.language', 'isDefined'],
      ['a custom checker without program', { ...good, checker: { type: 'custom', language: 'c' } }, 'checker.source', 'exactlyOneOf'],
      ['stopOnFirstFailure as a string', { ...good, stopOnFirstFailure: 'yes' }, 'stopOnFirstFailure', 'isBoolean'],
      ['a file: callback', { ...good, callbackUrl: 'file:///etc/passwd' }, 'callbackUrl', 'isUrl'],
      ['a callback that is no URL', { ...good, callbackUrl: 'not a url' }, 'callbackUrl', 'isUrl'],
    ])('400 for %s', async (_, body, field, rule) => {
      const res = await http().post('/v1/jobs').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(bodies.invalid(field, rule));
    });

    it.each<[string, object, string, 'maxItems' | 'maxBytes', number]>([
      ['too many files', { language: 'c', files: ['a.c', 'b.c', 'c.c', 'd.c'].map((p) => file(p)) }, 'files', 'maxItems', 3],
      ['a file too large', { language: 'c', files: [file('a.c', 'x'.repeat(1001))] }, 'files[0].content', 'maxBytes', 1000],
      [
        'a base64 file too large once decoded',
        { language: 'c', files: [file('a.c', Buffer.alloc(1001).toString('base64'), 'base64')] },
        'files[0].content',
        'maxBytes',
        1000,
      ],
      ['a source too large', { language: 'python', source: 'x'.repeat(1001) }, 'source', 'maxBytes', 1000],
      ['stdin too large', { ...good, stdin: 'x'.repeat(101) }, 'stdin', 'maxBytes', 100],
      ['too many args', { ...good, args: ['1', '2', '3', '4', '5'] }, 'args', 'maxItems', 4],
      ['an arg too large', { ...good, args: ['12345678901'] }, 'args[0]', 'maxBytes', 10],
      ['too many tests', { ...good, tests: [{}, {}, {}, {}] }, 'tests', 'maxItems', 3],
      ["a test's stdin too large", { ...good, tests: [{}, { stdin: 'x'.repeat(101) }] }, 'tests[1].stdin', 'maxBytes', 100],
      [
        'a custom checker with too many files',
        { ...good, checker: { type: 'custom', language: 'c', files: ['a.c', 'b.c', 'c.c', 'd.c'].map((p) => file(p)) } },
        'checker.files',
        'maxItems',
        3,
      ],
    ])('413 for %s, naming the field and the maximum', async (_, body, field, rule, max) => {
      const res = await http().post('/v1/jobs').send(body);
      expect(res.status).toBe(413);
      expect(res.body).toEqual(bodies.tooLarge(field, rule, max));
    });

    it.each([
      ['memoryMb', 10 ** 6, 512],
      ['memoryMb', 1e308, 512],
      ['cpuTimeMs', 20_001, 20_000],
      ['outputBytes', Number.MAX_SAFE_INTEGER, 4_194_304],
    ])('422 for limits.%s = %d above the maximum, naming it', async (field, value, max) => {
      const res = await http()
        .post('/v1/jobs')
        .send({ ...good, limits: { [field]: value } });
      expect(res.status).toBe(422);
      expect(res.body).toEqual(bodies.limitAboveMaximum(`limits.${field}`, max));
    });

    it('accepts a limit equal to the maximum', async () => {
      expect(
        (
          await http()
            .post('/v1/jobs')
            .send({ ...good, limits: { memoryMb: 512 } })
        ).status,
      ).toBe(202);
    });

    it('422 for an unknown language, listing the known ones', async () => {
      const res = await http().post('/v1/jobs').send({ language: 'cobol', source: 'x' });
      expect(res.status).toBe(422);
      expect(res.body).toEqual(bodies.unknownLanguage());
    });

    it("422 for a custom checker's unknown language", async () => {
      const res = await http()
        .post('/v1/jobs')
        .send({ ...good, checker: { type: 'custom', language: 'cobol', source: 'x' } });
      expect(res.status).toBe(422);
      expect(res.body).toEqual(bodies.unknownLanguage('checker.language'));
    });

    it('400 for malformed JSON', async () => {
      const res = await http().post('/v1/jobs').set('Content-Type', 'application/json').send('{"language": "python",');
      expect(res.status).toBe(400);
      expect(res.body).toEqual(bodies.malformedJson());
    });

    it.each([
      ['an array', '[]'],
      ['a string', '"x"'],
      ['null', 'null'],
      ['a number', '12'],
    ])('400 for a body that is %s', async (_, raw) => {
      const res = await http().post('/v1/jobs').set('Content-Type', 'application/json').send(raw);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'body' })]);
    });

    it('400 for a body that is not JSON at all', async () => {
      const res = await http().post('/v1/jobs').set('Content-Type', 'application/x-www-form-urlencoded').send('language=python&source=x');
      expect(res.status).toBe(400);
      expect(res.body).toEqual(bodies.notAnObject());
    });

    it('400 for prototype keys, at any depth', async () => {
      for (const raw of [
        '{"__proto__":{"admin":true},"language":"python","source":"x"}',
        '{"language":"python","source":"x","limits":{"constructor":{"prototype":{}}}}',
      ]) {
        const res = await http().post('/v1/jobs').set('Content-Type', 'application/json').send(raw);
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'forbidden' })]));
      }
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    it('400 for nesting deeper than any job', async () => {
      const raw = `{"language":"python","source":"x","args":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      const res = await http().post('/v1/jobs').set('Content-Type', 'application/json').send(raw);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].rule).toBe('maxDepth');
    });

    it('413 for a body above the configured limit', async () => {
      const res = await http()
        .post('/v1/jobs')
        .send({ ...good, source: 'x'.repeat(25_000) });
      expect(res.status).toBe(413);
      expect(res.body).toEqual(bodies.bodyTooLarge());
      expect(res.body.message).toContain('20000');
    });
  });

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
      const { body: job } = await http().post('/v1/jobs').send(good);
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
        .send({ jobs: [good, { language: 'bash', source: 'echo 1' }] });
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
        .send({ jobs: [good, good, { source: 'x' }] });
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual(bodies.invalid('jobs[2].language', 'isDefined'));
      const unknown = await http()
        .post('/v1/jobs/batch')
        .send({ jobs: [good, { language: 'cobol', source: 'x' }] });
      expect(unknown.status).toBe(422);
      expect(unknown.body).toEqual(bodies.unknownLanguage('jobs[1].language'));
      const limit = await http()
        .post('/v1/jobs/batch')
        .send({ jobs: [good, { ...good, limits: { memoryMb: 100_000 } }] });
      expect(limit.status).toBe(422);
      expect(limit.body).toEqual(bodies.limitAboveMaximum('jobs[1].limits.memoryMb', 512));
      expect(await waiting()).toBe(before);
    });

    it.each<[string, object, number, object]>([
      ['too many jobs', { jobs: [good, good, good, good] }, 413, bodies.tooLarge('jobs', 'maxItems', 3)],
      ['no jobs', { jobs: [] }, 400, bodies.invalid('jobs', 'arrayMinSize')],
      ['jobs missing', {}, 400, bodies.invalid('jobs', 'isDefined')],
      ['jobs not an array', { jobs: good }, 400, bodies.invalid('jobs', 'isArray')],
      ['a job that is not an object', { jobs: [good, 'x'] }, 400, bodies.invalid('jobs', 'isObject')],
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

  describe('health, languages, metrics, docs', () => {
    const heartbeat = (id: string): WorkerHeartbeat => ({
      id,
      host: 'test',
      pid: 1,
      slots: 1,
      startedAt: new Date().toISOString(),
      cgroupMode: 'v1',
      languages: [
        { id: 'python', name: 'Python', aliases: ['py', 'python3'], version: '3.11.2', compiled: false },
        { id: 'c', name: 'C (GCC)', aliases: ['gcc'], version: '12.2.0', compiled: true },
      ],
    });

    it('/health/live is 200', async () => {
      const res = await http().get('/health/live');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('/health/ready is 503 without a worker, 200 with a live heartbeat; /v1/languages follows the heartbeats', async () => {
      const notReady = await http().get('/health/ready');
      expect(notReady.status).toBe(503);
      expect(notReady.body).toEqual(bodies.notReady());
      expect(notReady.body.message).toMatch(/workers/);
      expect((await http().get('/v1/languages')).body).toEqual([]);

      const key = jobKey(stack.config, WORKER_HEARTBEAT_KEY, 'test:1');
      await redis.set(key, JSON.stringify(heartbeat('test:1')), 'EX', 15);
      try {
        const ready = await http().get('/health/ready');
        expect(ready.status).toBe(200);
        expect(ready.body.status).toBe('ok');
        const langs = await http().get('/v1/languages');
        expect(langs.status).toBe(200);
        expect(langs.body).toEqual([
          { id: 'c', name: 'C (GCC)', aliases: ['gcc'], version: '12.2.0', compiled: true },
          { id: 'python', name: 'Python', aliases: ['py', 'python3'], version: '3.11.2', compiled: false },
        ]);
      } finally {
        await redis.del(key);
      }
      expect((await http().get('/health/ready')).status).toBe(503);
    });

    it('/metrics has queue depth, jobs by status and verdict, duration histograms and sandbox failures', async () => {
      const prefix = stack.config.redis.prefix;
      const cancelledBefore = await finishedCount('cancelled', 'none'); // earlier tests cancel jobs too
      await countJobFinished(redis.multi(), prefix, {
        status: 'completed',
        verdict: 'ok',
        language: 'python',
        queueWaitMs: 7,
        runMs: 120,
      }).exec();
      await countJobFinished(redis.multi(), prefix, {
        status: 'cancelled',
        verdict: null,
        language: 'python',
        queueWaitMs: 0,
        runMs: 0,
      }).exec();
      await recordSandboxFailure(redis, prefix, 'c');
      const res = await http().get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const text = res.text;
      expect(text).toMatch(/^runbox_queue_jobs\{state="waiting"\} \d+$/m);
      expect(text).toMatch(/^runbox_queue_jobs\{state="active"\} 0$/m);
      expect(text).toMatch(/^runbox_jobs_finished_total\{status="completed",verdict="ok"\} 1$/m);
      expect(await finishedCount('cancelled', 'none')).toBe(cancelledBefore + 1);
      expect(text).toMatch(/^runbox_queue_wait_seconds_bucket\{language="python",le="0.005"\} 0$/m);
      expect(text).toMatch(/^runbox_queue_wait_seconds_bucket\{language="python",le="0.01"\} 1$/m);
      expect(text).toMatch(/^runbox_run_duration_seconds_bucket\{language="python",le="0.1"\} 0$/m);
      expect(text).toMatch(/^runbox_run_duration_seconds_bucket\{language="python",le="\+Inf"\} 1$/m);
      expect(text).toMatch(/^runbox_run_duration_seconds_sum\{language="python"\} 0.12$/m);
      expect(text).toMatch(/^runbox_run_duration_seconds_count\{language="python"\} 1$/m);
      expect(text).toMatch(/^runbox_sandbox_failures_total\{language="c"\} 1$/m);
      expect(text).toMatch(/^# TYPE runbox_run_duration_seconds histogram$/m);
      expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    });

    it('/docs-json documents every route and the job schemas; /docs serves the UI', async () => {
      const res = await http().get('/docs-json');
      expect(res.status).toBe(200);
      const doc = res.body;
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/v1/jobs',
          '/v1/jobs/batch',
          '/v1/jobs/{id}',
          '/v1/languages',
          '/health/live',
          '/health/ready',
          '/metrics',
        ]),
      );
      expect(Object.keys(doc.paths['/v1/jobs'])).toEqual(expect.arrayContaining(['post', 'get']));
      expect(Object.keys(doc.paths['/v1/jobs/{id}'])).toEqual(expect.arrayContaining(['get', 'delete']));
      const schemas = doc.components.schemas;
      expect(Object.keys(schemas.CreateJobDto.properties)).toEqual(
        expect.arrayContaining([
          'language',
          'source',
          'files',
          'stdin',
          'args',
          'limits',
          'tests',
          'checker',
          'stopOnFirstFailure',
          'callbackUrl',
        ]),
      );
      expect(schemas.CreateJobDto.required).toEqual(['language']);
      expect(Object.keys(schemas.LimitsDto.properties)).toEqual(['cpuTimeMs', 'wallTimeMs', 'memoryMb', 'processes', 'outputBytes']);
      expect(schemas.JobViewDto.properties.status.enum).toEqual(['queued', 'running', 'completed', 'cancelled', 'failed']);
      expect(schemas.RunDto.properties.verdict.enum).toContain('time_limit');
      expect(doc.paths['/v1/jobs'].post.responses['202']).toBeDefined();
      const ui = await http().get('/docs');
      expect(ui.status).toBe(200);
      expect(ui.text).toMatch(/swagger/i);
    });
  });

  describe('routing', () => {
    it.each([
      ['get', '/nope'],
      ['get', '/v1'],
      ['put', '/v1/jobs'],
      ['patch', `/v1/jobs/${UNKNOWN_ID}`],
      ['post', '/health/live'],
      ['delete', '/v1/languages'],
    ] as const)('%s %s is 404 with the problem body', async (method, path) => {
      const res = await http()[method](path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(bodies.notFound());
    });
  });

  describe('fuzz: no input gets a 5xx', () => {
    // POST routes take most inputs, so they appear more than once.
    const ROUTES: [string, string][] = [
      ['post', '/v1/jobs'],
      ['post', '/v1/jobs'],
      ['post', '/v1/jobs'],
      ['post', '/v1/jobs?wait=true'],
      ['post', '/v1/jobs/batch'],
      ['post', '/v1/jobs/batch'],
      ['get', '/v1/jobs'],
      ['get', '/v1/jobs/{id}'],
      ['delete', '/v1/jobs/{id}'],
      ['get', '/v1/languages'],
      ['get', '/health/live'],
      ['get', '/health/ready'],
      ['get', '/metrics'],
      ['put', '/v1/jobs/{id}'],
      ['patch', '/v1/jobs'],
      ['options', '/v1/jobs'],
      ['head', '/v1/jobs/{id}'],
    ];

    /** Any JSON value, biased towards the shapes and names a job has. */
    const FIELDS = [
      'language',
      'source',
      'files',
      'stdin',
      'args',
      'limits',
      'tests',
      'checker',
      'stopOnFirstFailure',
      'callbackUrl',
      'jobs',
      'path',
      'content',
      'encoding',
      'type',
      'memoryMb',
      'cpuTimeMs',
      '__proto__',
      'constructor',
      'prototype',
    ];
    const { json } = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(
          null,
          true,
          false,
          0,
          -1,
          1e308,
          -1e308,
          2 ** 53 + 1,
          0.5,
          '',
          'python',
          'c',
          'base64',
          'utf8',
          'custom',
          'float',
          '../x',
          'main.py',
          'http://x',
          '=',
          UNKNOWN_ID,
        ),
        fc.string(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.array(tie('json'), { maxLength: 5 }),
        fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string()), tie('json'), { maxKeys: 6 }),
      ),
    }));
    const jobLike = fc.record(
      {
        language: json,
        source: json,
        files: fc.oneof(json, fc.array(fc.record({ path: json, content: json, encoding: json }, { requiredKeys: [] }), { maxLength: 4 })),
        stdin: json,
        args: json,
        limits: fc.oneof(
          json,
          fc.record({ cpuTimeMs: json, wallTimeMs: json, memoryMb: json, processes: json, outputBytes: json }, { requiredKeys: [] }),
        ),
        tests: json,
        checker: fc.oneof(
          json,
          fc.record({ type: json, language: json, source: json, files: json, absoluteTolerance: json }, { requiredKeys: [] }),
        ),
        stopOnFirstFailure: json,
        callbackUrl: json,
      },
      { requiredKeys: [] },
    );
    const validJob = fc.record({
      language: fc.constantFrom('python', 'PY', 'c++', 'bash'),
      source: fc.string({ maxLength: 50 }),
      stdin: fc.string({ maxLength: 20 }),
      limits: fc.record(
        { memoryMb: fc.integer({ min: 8, max: 600 }), cpuTimeMs: fc.integer({ min: 1, max: 30_000 }) },
        { requiredKeys: [] },
      ),
    });
    const asJson = (v: unknown) => ({ raw: JSON.stringify(v) ?? 'null', type: 'application/json' });
    const body = fc.oneof(
      { arbitrary: json.map(asJson), weight: 2 },
      { arbitrary: jobLike.map(asJson), weight: 3 },
      { arbitrary: validJob.map(asJson), weight: 3 },
      { arbitrary: fc.array(fc.oneof(jobLike, validJob, validJob), { maxLength: 5 }).map((jobs) => asJson({ jobs })), weight: 2 },
      fc.string({ maxLength: 200 }).map((raw) => ({ raw, type: 'application/json' })),
      fc
        .tuple(
          fc.string({ maxLength: 100 }),
          fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/json; charset=latin1',
            'application/json; charset=utf-16',
            '',
            'garbage',
          ),
        )
        .map(([raw, type]) => ({
          raw,
          type,
        })),
      fc.constant(null),
    );
    const id = fc.oneof(
      fc.uuid(),
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
      fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '.', 'batch', '%2F', 'a%00b'),
    );
    const query = fc.oneof(
      { arbitrary: fc.constant(''), weight: 4 },
      fc
        .dictionary(
          fc.constantFrom('wait', 'ids', 'x', '__proto__', 'wait[]', 'ids[a]'),
          fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('true', 'false', UNKNOWN_ID)),
          { maxKeys: 3 },
        )
        .map((q) =>
          Object.entries(q)
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
            .join('&'),
        ),
      fc.string({ maxLength: 30 }).map((s) => s.replace(/[#\s]/g, '')),
    );
    const headers = fc.oneof(
      { arbitrary: fc.constant({}), weight: 2 },
      fc.dictionary(
        fc.constantFrom(
          'Accept',
          'Accept-Encoding',
          'Content-Encoding',
          'X-Forwarded-For',
          'Authorization',
          'X-Api-Key',
          'If-None-Match',
          'Range',
        ),
        fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
        { maxKeys: 3 },
      ),
    );

    it('answers every request with a status below 500', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ROUTES), id, query, body, headers, async ([method, path], anId, q, b, hs) => {
          const url = path.replace('{id}', anId) + (q ? (path.includes('?') ? '&' : '?') + q : '');
          let req = (request(stack.http) as unknown as Record<string, (u: string) => request.Test>)[method]!(url);
          for (const [k, v] of Object.entries(hs)) req = req.set(k, v);
          if (b && method !== 'get' && method !== 'head') {
            if (b.type) req = req.set('Content-Type', b.type);
            req = req.send(b.raw);
          }
          const res = await req.ok(() => true);
          // 503 from /health/ready is its answer (no worker here), not a failure.
          const notReady = path === '/health/ready' && res.status === 503;
          if (res.status >= 500 && !notReady) throw new Error(`${method.toUpperCase()} ${url} → ${res.status} ${res.text}`);
          if (method !== 'head' && res.status >= 400) {
            expect(res.body).toEqual(
              expect.objectContaining({ statusCode: res.status, error: expect.any(String), message: expect.any(String) }),
            );
          }
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
      );
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
      .send({ ...good, stdin: 'ok' });
    expect(res.status).toBe(200);
    expect(res.headers.location).toBe(`/v1/jobs/${res.body.id}`);
    expect(res.body).toMatchObject({ status: 'completed', result, startedAt: expect.any(String), finishedAt: expect.any(String) });
  });

  it('?wait=true answers 200 with a failed job and the reason', async () => {
    const res = await http()
      .post('/v1/jobs?wait=true')
      .send({ ...good, stdin: 'crash' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', error: 'launcher exploded', result: null });
  });

  it('?wait=true still answers 200 when the final event is lost (it reads the job again while it waits)', async () => {
    const res = await http()
      .post('/v1/jobs?wait=true')
      .send({ ...good, stdin: 'silent' });
    expect(res.status).toBe(200); // within WAIT_MAX_MS (5 s): a recheck saw the end
    expect(res.body).toMatchObject({ status: 'completed', result });
  });

  it('holds many waits at once, each answered when its job ends', async () => {
    const all = await Promise.all(
      Array.from({ length: 30 }, () =>
        http()
          .post('/v1/jobs?wait=true')
          .send({ ...good, stdin: 'slow' }),
      ),
    );
    expect(all.map((r) => [r.status, r.body.status])).toEqual(all.map(() => [200, 'completed']));
  });

  it('cancels a running job through the worker: 200 cancelled; then 409', async () => {
    const { body: job } = await http()
      .post('/v1/jobs')
      .send({ ...good, stdin: 'hang' });
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
      .send({ ...good, stdin: 'ok' });
    const del = await http().delete(`/v1/jobs/${job.id}`);
    expect(del.status).toBe(409);
    expect(del.body).toEqual(bodies.conflict());
    expect(del.body.message).toMatch(/completed/);
  });
});
