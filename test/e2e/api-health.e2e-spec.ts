/**
 * What the API answers about itself, without a worker: liveness, readiness and the languages
 * (both follow the workers' heartbeats, written here by hand), the Prometheus metrics and the
 * OpenAPI document with its UI.
 */
import { WORKER_HEARTBEAT_KEY, type WorkerHeartbeat } from '@runbox/contract';
import { countJobFinished, jobKey, recordSandboxFailure } from '@runbox/queue';
import { JOB_REQUEST_FIELDS, useApiAlone } from '../support/api-alone';
import { bodies } from '../support/bodies';

jest.setTimeout(120_000);

describe('API without a worker', () => {
  const api = useApiAlone();
  const { http, finishedCount } = api;

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

      const key = jobKey(api.stack.config, WORKER_HEARTBEAT_KEY, 'test:1');
      await api.redis.set(key, JSON.stringify(heartbeat('test:1')), 'EX', 15);
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
        await api.redis.del(key);
      }
      expect((await http().get('/health/ready')).status).toBe(503);
    });

    it('/metrics has queue depth, jobs by status and verdict, duration histograms and sandbox failures', async () => {
      const prefix = api.stack.config.redis.prefix;
      const cancelledBefore = await finishedCount('cancelled', 'none'); // earlier tests cancel jobs too
      await countJobFinished(api.redis.multi(), prefix, {
        status: 'completed',
        verdict: 'ok',
        language: 'python',
        queueWaitMs: 7,
        runMs: 120,
      }).exec();
      await countJobFinished(api.redis.multi(), prefix, {
        status: 'cancelled',
        verdict: null,
        language: 'python',
        queueWaitMs: 0,
        runMs: 0,
      }).exec();
      await recordSandboxFailure(api.redis, prefix, 'c');
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
      expect(Object.keys(schemas.CreateJobDto.properties)).toEqual(expect.arrayContaining(JOB_REQUEST_FIELDS));
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
});
