/**
 * The parts of BullMQ's Redis layout runbox reads directly (libs/queue/src/bullmq-layout.ts),
 * checked against the installed BullMQ on a real Redis: where each state of a job lives, how the
 * queue's length is counted, and the fields of a job's record. A BullMQ upgrade that moves any of
 * them fails here, not silently in job views and admission. So does one that changes its add
 * script or the arguments it takes (libs/queue/src/bullmq-add.ts): the API runs that script
 * inside its admission script.
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { bullmqAddCall, BULLMQ_ADD_FUNCTION, bullmqKeys, fromRecord, LuaScript, stateOf } from '@runbox/queue';
import { testRedisUrl, uniquePrefix } from '../support/stack';

const NAME = 'layout';

describe("BullMQ's Redis layout, as runbox reads it", () => {
  const prefix = uniquePrefix();
  let redis: Redis;
  let queue: Queue;
  let workerRedis: Redis;
  let worker: Worker | undefined;
  let release: () => void = () => undefined;
  beforeAll(() => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    workerRedis = redis.duplicate();
    queue = new Queue(NAME, { connection: redis, prefix });
  });
  afterAll(async () => {
    release();
    await worker?.close(true);
    await queue.obliterate({ force: true });
    await queue.close();
    // connections handed to BullMQ stay open until their owner closes them
    workerRedis.disconnect();
    redis.disconnect();
  });

  /** The state runbox reads for `id`, from the same replies as job-view.ts's transaction. */
  async function runboxState(id: string) {
    const bull = bullmqKeys(queue);
    const [completed, failed, active] = await Promise.all([
      redis.zscore(bull.completed, id),
      redis.zscore(bull.failed, id),
      redis.lpos(bull.active, id),
    ]);
    return stateOf(completed, failed, active);
  }

  /** What runbox counts as queued (admission.service.ts), list by list. */
  async function runboxQueued() {
    const bull = bullmqKeys(queue);
    const [wait, prioritized, delayed] = await Promise.all([
      redis.llen(bull.wait),
      redis.zcard(bull.prioritized),
      redis.zcard(bull.delayed),
    ]);
    return { wait, prioritized, delayed };
  }

  it('finds every state where BullMQ keeps it, counts the queue as getJobCounts does, and reads the record BullMQ wrote', async () => {
    const held = new Promise<void>((r) => (release = r));
    const waiting = await queue.add('plain', { language: 'python' });
    const prioritized = await queue.add('plain', { language: 'c' }, { priority: 3 });
    const delayed = await queue.add('plain', { language: 'go' }, { delay: 60_000 });
    expect(await runboxQueued()).toEqual(await queue.getJobCounts('wait', 'prioritized', 'delayed'));
    expect(await runboxQueued()).toEqual({ wait: 1, prioritized: 1, delayed: 1 });
    for (const job of [waiting, prioritized, delayed]) expect([job.id, await runboxState(job.id!)]).toEqual([job.id, 'waiting']);
    await delayed.remove();
    await prioritized.remove();

    // a worker takes the waiting job (held), then two more: one completes, one fails
    worker = new Worker(
      NAME,
      async (job: Job) => {
        if (job.name === 'hold') await held;
        if (job.name === 'fail') throw new UnrecoverableError('boom');
        return { verdict: 'ok', n: 1 };
      },
      { connection: workerRedis, prefix, concurrency: 3 },
    );
    await waitFor(async () => (await queue.getJobState(waiting.id!)) === 'completed');
    const hold = await queue.add('hold', { language: 'python' });
    const fail = await queue.add('fail', { language: 'python' });
    await waitFor(async () => (await queue.getJobState(hold.id!)) === 'active' && (await queue.getJobState(fail.id!)) === 'failed');

    expect(await runboxState(hold.id!)).toBe('active');
    expect(await runboxState(fail.id!)).toBe('failed');
    expect(await runboxState(waiting.id!)).toBe('completed');
    release();
    await waitFor(async () => (await queue.getJobState(hold.id!)) === 'completed');
    expect(await runboxState(hold.id!)).toBe('completed');

    // the record: the fields a view needs, as BullMQ's own Job reads them
    for (const id of [waiting.id!, fail.id!]) {
      const job = (await queue.getJob(id))!;
      expect(fromRecord(id, await redis.hgetall(bullmqKeys(queue).job(id)))).toEqual({
        id,
        data: job.data,
        timestamp: job.timestamp,
        processedOn: job.processedOn,
        finishedOn: job.finishedOn,
        failedReason: job.failedReason ?? '',
        returnvalue: job.returnvalue ?? null,
      });
    }
    expect(fromRecord(waiting.id!, await redis.hgetall(bullmqKeys(queue).job(waiting.id!))).returnvalue).toEqual({ verdict: 'ok', n: 1 });
    expect(fromRecord(fail.id!, await redis.hgetall(bullmqKeys(queue).job(fail.id!))).failedReason).toBe('boom');
  });
});

describe("BullMQ's own add, inside a script of runbox's", () => {
  const prefix = uniquePrefix();
  let redis: Redis;
  let queue: Queue;
  beforeAll(() => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    queue = new Queue('add', {
      connection: redis,
      prefix,
      defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: { age: 60 } },
    });
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  });

  it('adds the job queue.add adds: the same record, list, marker and event, and BullMQ reads it back', async () => {
    const ADD = new LuaScript(`${BULLMQ_ADD_FUNCTION}return bullmq_add(KEYS, ARGV)`);
    const data = { language: 'python', source: 'print(1)', limits: { wallTimeMs: 5000 } };
    const timestamp = Date.now();
    const [plainId, scriptedId] = [randomUUID(), randomUUID()];
    await queue.add('run', data, { jobId: plainId, timestamp });
    const job = new Job(queue, 'run', data, { ...queue.defaultJobOptions, jobId: scriptedId, timestamp }, scriptedId);
    const call = await bullmqAddCall(job);
    expect(await ADD.run(redis, call.keys, call.args)).toBe(scriptedId);

    const bull = bullmqKeys(queue);
    const record = async (id: string) => JSON.parse(JSON.stringify(await redis.hgetall(bull.job(id))).replaceAll(id, 'ID')) as unknown;
    expect(await record(scriptedId)).toEqual(await record(plainId));
    expect(await redis.lrange(bull.wait, 0, -1)).toEqual([scriptedId, plainId]);
    expect(await redis.zcard(queue.toKey('marker'))).toBe(1);
    const events = await redis.xrange(queue.toKey('events'), '-', '+');
    const eventsOf = (id: string) =>
      events.flatMap(([, fields]) => (fields.includes(id) ? [fields.map((f) => (f === id ? 'ID' : f))] : []));
    expect(eventsOf(plainId)).toContainEqual(['event', 'added', 'jobId', 'ID', 'name', 'run']);
    expect(eventsOf(scriptedId)).toEqual(eventsOf(plainId));
    const [plain, scripted] = await Promise.all([queue.getJob(plainId), queue.getJob(scriptedId)]);
    expect([scripted?.name, scripted?.data, scripted?.timestamp]).toEqual([plain?.name, plain?.data, plain?.timestamp]);
    expect(scripted?.opts).toEqual({ ...plain?.opts, jobId: scriptedId });
  });

  it('refuses to stand in for an add BullMQ makes with another script', async () => {
    const id = randomUUID();
    await expect(bullmqAddCall(new Job(queue, 'run', {}, { jobId: id, delay: 1000 }, id))).rejects.toThrow(/addDelayedJob/);
  });
});

async function waitFor(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
