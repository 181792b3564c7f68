/**
 * The parts of BullMQ's Redis layout runbox reads directly (libs/queue/src/bullmq-layout.ts),
 * checked against the installed BullMQ on a real Redis: where each state of a job lives, how the
 * queue's length is counted, and the fields of a job's record. A BullMQ upgrade that moves any of
 * them fails here, not silently in job views and admission.
 */
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { bullmqKeys, fromRecord, stateOf } from '@runbox/queue';
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

async function waitFor(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
