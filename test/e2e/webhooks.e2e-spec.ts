/**
 * Callbacks end to end: real Redis, the real webhooks queue and the API's real WebhooksModule
 * (Nest DI, BullMQ worker, retries with backoff, delivery records, the SSRF guard), receivers the
 * test starts on 127.0.0.1 and ::1, verified with the Standard Webhooks verifier.
 *
 * Nothing here sends a packet to a non-loopback address: refused destinations are stopped by the
 * URL check or by the resolver hook (fed by a fake resolver) before any socket connects.
 *
 * The last block goes through the whole stack (API → worker process → API's sender → callback) and needs the
 * run processor to call enqueueWebhook when a job becomes final.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getQueueToken } from '@nestjs/bullmq';
import { Test, type TestingModule } from '@nestjs/testing';
import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import {
  CANCELLED_KEY,
  JOBS_QUEUE,
  WEBHOOKS_QUEUE,
  type JobData,
  type JobResult,
  type JobView,
  type WebhookDelivery,
} from '@runbox/contract';
import { Config, ConfigModule, loadConfig } from '@runbox/config';
import { enqueueWebhook, jobKey, loadJobView, QueueModule, REDIS, WEBHOOK_KEY, webhookDeliveryId } from '@runbox/queue';
import { WebhooksModule } from '../../apps/api/src/webhooks/webhooks.module';
import { WebhooksProcessor } from '../../apps/api/src/webhooks/webhooks.processor';
import { startStack, testRedisUrl, uniquePrefix } from '../support/stack';
import { STAND_IN_RESULT } from '../support/stand-in';

const SECRET = `whsec_${Buffer.from('runbox webhook test secret 32by').toString('base64')}`;

interface Hit {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

type Loopback = '127.0.0.1' | '::1';

/** A receiver on a loopback address that answers with the next status of `script` (then the last one). */
async function startReceiver(host: Loopback, script: number[] = [204]) {
  const hits: Hit[] = [];
  let connections = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body, at: Date.now() });
      res.writeHead(script[Math.min(hits.length - 1, script.length - 1)]!).end('thanks');
    });
  });
  server.on('connection', () => connections++);
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    hits,
    connections: () => connections,
    url: (path = '/hook') => `http://${host.includes(':') ? `[${host}]` : host}:${port}${path}`,
    port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

type ReceiverBody = (rx: Awaited<ReturnType<typeof startReceiver>>) => Promise<void>;

/** Runs `body` with a receiver from startReceiver(host, script), closed afterwards whatever happens. */
async function withReceiver(host: Loopback, ...args: [body: ReceiverBody] | [script: number[], body: ReceiverBody]): Promise<void> {
  const [script, body] = args.length === 1 ? [undefined, args[0]] : args;
  const rx = await startReceiver(host, script);
  try {
    await body(rx);
  } finally {
    await rx.close();
  }
}

/** The Standard Webhooks verifier on what a receiver got: the verified payload, or a throw. */
const verify = (hit: Hit, secret = SECRET) => new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>);

const ipv6Loopback = async () => {
  const s = createServer();
  try {
    s.listen(0, '::1');
    await once(s, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
};

/** One webhook-delivering worker with its own config, queue prefix and finished jobs to announce. */
async function startDelivery(env: Record<string, string>) {
  const config = loadConfig({
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: uniquePrefix(),
    WEBHOOK_ATTEMPTS: '3',
    WEBHOOK_BACKOFF_MS: '100',
    ...env,
  });
  const moduleRef: TestingModule = await Test.createTestingModule({ imports: [ConfigModule, QueueModule, WebhooksModule] })
    .overrideProvider(Config)
    .useValue(config)
    .compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  const jobs = moduleRef.get<Queue<JobData, JobResult>>(getQueueToken(JOBS_QUEUE));
  const webhooks = moduleRef.get<Queue>(getQueueToken(WEBHOOKS_QUEUE));
  const redis = moduleRef.get<Redis>(REDIS);
  const processor = moduleRef.get(WebhooksProcessor);

  // Stands in for the run worker: finishes every job at once, or fails those whose stdin says so.
  const runner = new Worker<JobData, JobResult>(
    JOBS_QUEUE,
    async (job) => {
      if (job.data.stdin === 'fail') throw new Error('sandbox broke');
      return STAND_IN_RESULT;
    },
    { connection: jobs.opts.connection, prefix: config.redis.prefix },
  );
  const events = new QueueEvents(JOBS_QUEUE, { connection: jobs.opts.connection, prefix: config.redis.prefix });
  await events.waitUntilReady();

  let n = 0;
  /** A finished job (completed, or failed for good) whose callback goes to `callbackUrl`. */
  const finishedJob = async (callbackUrl: string, outcome: 'completed' | 'failed' = 'completed') => {
    const data: JobData = {
      v: 1,
      language: 'python',
      files: [{ path: 'main.py', content: 'print("hi")', encoding: 'utf8' }],
      stdin: outcome === 'failed' ? 'fail' : '',
      args: [],
      compileArgs: [],
      archive: null,
      limits: config.limits.defaults,
      tests: null,
      checker: { type: 'lines' },
      stopOnFirstFailure: false,
      callbackUrl,
      createdAt: new Date().toISOString(),
      owner: null,
    };
    const job = await jobs.add('run', data, { jobId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, attempts: 1 });
    try {
      await job.waitUntilFinished(events, 10_000);
    } catch {
      /* a failed job rejects here; its state is what matters */
    }
    return job.id!;
  };
  const announce = async (id: string, url: string) => enqueueWebhook(webhooks, config, redis, id, url);
  const view = async (id: string) => (await loadJobView(jobs, redis, config, id))!;
  /** Waits until the delivery record of `id` satisfies `done`. */
  const delivery = async (
    id: string,
    done: (d: WebhookDelivery) => boolean = (d) => d.status !== 'pending',
    ms = 15_000,
  ): Promise<WebhookDelivery> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const raw = await redis.get(jobKey(config, WEBHOOK_KEY, id));
      const d = raw ? (JSON.parse(raw) as WebhookDelivery) : undefined;
      if (d && done(d)) return d;
      if (Date.now() > deadline) throw new Error(`delivery of ${id} still ${JSON.stringify(d)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    config,
    processor,
    webhooks,
    redis,
    finishedJob,
    announce,
    view,
    delivery,
    async stop() {
      await runner.close();
      await events.close();
      await moduleRef.close();
    },
  };
}

type Delivery = Awaited<ReturnType<typeof startDelivery>>;

describe('webhooks: signed delivery to an allowed loopback receiver', () => {
  let d: Delivery;
  beforeAll(async () => {
    d = await startDelivery({ WEBHOOK_ALLOW: '127.0.0.1,::1', WEBHOOK_SECRET: SECRET });
  });
  afterAll(() => d?.stop());

  it('POSTs the finished job, signed; the Standard Webhooks verifier accepts it and rejects a tampered copy', async () => {
    await withReceiver('127.0.0.1', async (rx) => {
      const id = await d.finishedJob(rx.url());
      await d.announce(id, rx.url());
      const record = await d.delivery(id);
      expect(record).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204 });
      expect((await d.view(id)).webhook).toEqual(record); // the job's view shows the delivery
      expect(new Date(record.deliveredAt!).getTime()).toBeGreaterThan(Date.now() - 60_000);

      expect(rx.hits).toHaveLength(1);
      const [hit] = rx.hits;
      expect(hit!.headers['content-type']).toBe('application/json');
      expect(hit!.headers['webhook-id']).toBe(webhookDeliveryId(id));
      expect(Number(hit!.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
      const verified = verify(hit!) as JobView;
      expect(verified).toMatchObject({ id, status: 'completed', language: 'python', result: { verdict: 'ok', run: { stdout: 'hi\n' } } });
      expect(verified.finishedAt).not.toBeNull();
      expect(verified).not.toHaveProperty('webhook'); // the record of this very delivery is not part of it

      const tampered = hit!.body.replace('"ok"', '"wrong_answer"');
      expect(() => verify({ ...hit!, body: tampered })).toThrow();
      const otherSecret = `whsec_${Buffer.from('another secret of 32 bytes long!').toString('base64')}`;
      expect(() => verify(hit!, otherSecret)).toThrow();
    });
  });

  it('announces a job once, however often it is enqueued', async () => {
    await withReceiver('127.0.0.1', async (rx) => {
      const id = await d.finishedJob(rx.url());
      await d.announce(id, rx.url());
      await d.delivery(id);
      await d.announce(id, rx.url());
      await new Promise((r) => setTimeout(r, 300));
      expect(rx.hits).toHaveLength(1);
      expect((await d.view(id)).webhook).toMatchObject({ status: 'delivered', attempts: 1 });
    });
  });

  it('announces a job that failed for good, with its error', async () => {
    await withReceiver('127.0.0.1', async (rx) => {
      const id = await d.finishedJob(rx.url(), 'failed');
      await d.announce(id, rx.url());
      await d.delivery(id);
      const body = verify(rx.hits[0]!) as JobView;
      expect(body).toMatchObject({ id, status: 'failed', error: 'sandbox broke', result: null });
    });
  });

  it('announces a job cancelled while queued (only its tombstone is left: the API must enqueue that one)', async () => {
    await withReceiver('127.0.0.1', async (rx) => {
      const id = '00000000-0000-4000-8000-cancelled0001';
      const tombstone: JobView = {
        id,
        status: 'cancelled',
        language: 'python',
        createdAt: new Date().toISOString(),
        startedAt: null,
        finishedAt: new Date().toISOString(),
        result: null,
      };
      await d.redis.set(jobKey(d.config, CANCELLED_KEY, id), JSON.stringify(tombstone), 'EX', 60);
      await d.announce(id, rx.url());
      expect(await d.delivery(id)).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(verify(rx.hits[0]!)).toEqual(tombstone);
    });
  });

  it('fails a delivery whose job no longer exists, without retrying', async () => {
    await withReceiver('127.0.0.1', async (rx) => {
      const id = '00000000-0000-4000-8000-000000gone01';
      await d.announce(id, rx.url());
      expect(await d.delivery(id)).toMatchObject({ status: 'failed', attempts: 1, lastError: `job ${id} no longer exists` });
      expect(rx.hits).toEqual([]);
    });
  });

  it('retries a receiver that fails twice, with growing backoff and the same id and valid signatures', async () => {
    await withReceiver('127.0.0.1', [500, 502, 200], async (rx) => {
      const id = await d.finishedJob(rx.url());
      await d.announce(id, rx.url());
      const pending = await d.delivery(id, (x) => x.attempts >= 1);
      expect(pending).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastStatusCode: 500,
        lastError: expect.stringMatching(/receiver answered 500/),
      });
      const record = await d.delivery(id);
      expect(record).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
      expect(record).not.toHaveProperty('lastError');
      expect(rx.hits).toHaveLength(3);
      expect(new Set(rx.hits.map((h) => h.headers['webhook-id']))).toEqual(new Set([webhookDeliveryId(id)]));
      for (const h of rx.hits) expect(() => verify(h)).not.toThrow();
      // exponential backoff from WEBHOOK_BACKOFF_MS=100: ~100 ms, then ~200 ms
      expect(rx.hits[1]!.at - rx.hits[0]!.at).toBeGreaterThanOrEqual(90);
      expect(rx.hits[2]!.at - rx.hits[1]!.at).toBeGreaterThanOrEqual(190);
    });
  });

  it('marks the delivery failed after the last attempt (WEBHOOK_ATTEMPTS)', async () => {
    await withReceiver('127.0.0.1', [503], async (rx) => {
      const id = await d.finishedJob(rx.url());
      await d.announce(id, rx.url());
      const record = await d.delivery(id);
      expect(record).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 503, lastError: 'receiver answered 503: thanks' });
      expect(rx.hits).toHaveLength(3);
    });
  });

  it('delivers to an IPv6 loopback receiver ([::1])', async () => {
    if (!(await ipv6Loopback())) return console.warn('no ::1 on this host: IPv6 receiver not tested');
    await withReceiver('::1', async (rx) => {
      const id = await d.finishedJob(rx.url());
      await d.announce(id, rx.url());
      expect(await d.delivery(id)).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(rx.hits).toHaveLength(1);
    });
  });

  it('connects to the address the resolver hook checked, with the URL host in Host', async () => {
    await withReceiver('127.0.0.1', async (rx) => {
      const calls: string[] = [];
      d.processor.resolver = async (host) => {
        calls.push(host);
        return host === 'hooks.runbox.test' ? [{ address: '127.0.0.1', family: 4 }] : [];
      };
      try {
        const url = `http://hooks.runbox.test:${rx.port}/hook`;
        const id = await d.finishedJob(url);
        await d.announce(id, url);
        expect(await d.delivery(id)).toMatchObject({ status: 'delivered' });
        expect(calls).toEqual(['hooks.runbox.test']);
        expect(rx.hits[0]!.headers.host).toBe(`hooks.runbox.test:${rx.port}`);
      } finally {
        d.processor.resolver = undefined;
      }
    });
  });

  it('refuses every other class even with loopback allowed, without retrying and without a connection', async () => {
    const refused: [string, RegExp][] = [
      ['http://10.0.0.1/hook', /private/],
      ['http://172.16.5.4/hook', /private/],
      ['http://192.168.1.1/hook', /private/],
      ['http://100.64.0.1/hook', /carrier-grade NAT/],
      ['http://169.254.169.254/latest/meta-data/', /metadata/],
      ['http://169.254.1.1/hook', /link-local/],
      ['http://224.0.0.1/hook', /multicast/],
      ['http://255.255.255.255/hook', /broadcast/],
      ['http://[fd00::1]/hook', /private/],
      ['http://[fe80::1]/hook', /link-local/],
      ['http://[ff02::1]/hook', /multicast/],
      ['http://[::ffff:10.0.0.1]/hook', /IPv4-mapped form of 10\.0\.0\.1/],
      ['http://[::ffff:a9fe:a9fe]/hook', /metadata/],
      ['http://[64:ff9b::c0a8:101]/hook', /NAT64 form of 192\.168\.1\.1/],
      ['http://0.0.0.0/hook', /unspecified/],
      ['ftp://example.com/hook', /only http and https/],
      ['http://user:pw@example.com/hook', /credentials/],
    ];
    const ids = [];
    for (const [url] of refused) {
      const id = await d.finishedJob(url);
      await d.announce(id, url);
      ids.push(id);
    }
    for (const [i, id] of ids.entries()) {
      expect(await d.delivery(id)).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(refused[i]![1]) });
    }
  });

  it('refuses names that resolve to refused addresses (fake resolver), and a mix of public and private', async () => {
    const answers: Record<string, { address: string; family: number }[]> = {
      'private.runbox.test': [{ address: '10.0.0.1', family: 4 }],
      'metadata.runbox.test': [{ address: '169.254.169.254', family: 4 }],
      'mapped.runbox.test': [{ address: '::ffff:192.168.1.1', family: 6 }],
      'mixed.runbox.test': [
        { address: '8.8.8.8', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ],
    };
    d.processor.resolver = async (host) => answers[host] ?? [];
    try {
      for (const host of Object.keys(answers)) {
        const url = `http://${host}/hook`;
        const id = await d.finishedJob(url);
        await d.announce(id, url);
        expect(await d.delivery(id)).toMatchObject({
          status: 'failed',
          attempts: 1,
          lastError: expect.stringMatching(/refused: .* resolves to/),
        });
      }
    } finally {
      d.processor.resolver = undefined;
    }
  });
});

describe('webhooks: without the allow-list', () => {
  let d: Delivery;
  beforeAll(async () => {
    d = await startDelivery({ WEBHOOK_SECRET: SECRET });
  });
  afterAll(() => d?.stop());

  it.each([['127.0.0.1'], ['::1'], ['localhost']])('refuses a loopback receiver (%s), which never sees a connection', async (host) => {
    const family = host === '::1' ? '::1' : '127.0.0.1';
    if (family === '::1' && !(await ipv6Loopback())) return;
    await withReceiver(family, async (rx) => {
      const url = host === 'localhost' ? `http://localhost:${rx.port}/hook` : rx.url();
      const id = await d.finishedJob(url);
      await d.announce(id, url);
      expect(await d.delivery(id)).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(/loopback/) });
      await new Promise((r) => setTimeout(r, 200));
      expect(rx.connections()).toBe(0);
      expect(rx.hits).toEqual([]);
    });
  });
});

describe('webhooks: without a secret', () => {
  let d: Delivery;
  beforeAll(async () => {
    d = await startDelivery({ WEBHOOK_ALLOW: '127.0.0.1' });
  });
  afterAll(() => d?.stop());

  it('delivers unsigned', async () => {
    await withReceiver('127.0.0.1', async (rx) => {
      const id = await d.finishedJob(rx.url());
      await d.announce(id, rx.url());
      expect(await d.delivery(id)).toMatchObject({ status: 'delivered' });
      expect(rx.hits[0]!.headers).not.toHaveProperty('webhook-signature');
      expect(JSON.parse(rx.hits[0]!.body)).toMatchObject({ id, status: 'completed' });
    });
  });
});

describe('webhooks through the whole stack (API → worker → callback)', () => {
  it('announces a graded job to its callbackUrl, signed', async () => {
    // Needs the run processor to call enqueueWebhook when a job becomes final (the lead's wiring).
    await withReceiver('127.0.0.1', async (rx) => {
      const stack = await startStack({ worker: true, env: { WEBHOOK_ALLOW: '127.0.0.1', WEBHOOK_SECRET: SECRET } });
      try {
        const res = await request(stack.http)
          .post('/v1/jobs?wait=true')
          .send({
            language: 'python',
            source: 'print(int(input()) * 2)',
            tests: [{ name: 'two', stdin: '2\n', expectedOutput: '4\n', points: 1 }],
            callbackUrl: rx.url(),
          });
        expect(res.status).toBe(200);
        const deadline = Date.now() + 15_000;
        while (rx.hits.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        const body = verify(rx.hits[0]!) as JobView;
        expect(body).toMatchObject({ id: res.body.id, status: 'completed', result: { verdict: 'ok', score: { points: 1, maxPoints: 1 } } });
        let view = (await request(stack.http).get(`/v1/jobs/${res.body.id}`)).body as JobView;
        while (view.webhook?.status !== 'delivered' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          view = (await request(stack.http).get(`/v1/jobs/${res.body.id}`)).body as JobView;
        }
        expect(view.webhook).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204 });
      } finally {
        await stack.stop();
      }
    });
  });
});
