/**
 * Jobs as the API sees them: submit (one or a batch), read, cancel. Everything lives in Redis,
 * so any number of API processes can answer for any job.
 */
import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  CANCEL_CHANNEL,
  CANCEL_REQUESTED_KEY,
  CANCELLED_KEY,
  FINAL_STATUSES,
  JOBS_QUEUE,
  WEBHOOKS_QUEUE,
  type JobData,
  type JobRequest,
  type JobResult,
  type JobView,
} from '@runbox/contract';
import { Config } from '@runbox/config';
import { LanguageRegistry } from '@runbox/languages';
import { enqueueWebhook, jobKey, publishJobEvent, loadJobView, REDIS, toJobView, toStatus } from '@runbox/queue';
import { AdmissionService } from '../auth/admission.service';
import { ServiceBusy } from '../auth/auth.errors';
import type { Caller } from '../auth/caller';
import { bodyFingerprint, checkIdempotencyKey, claim, forget } from './idempotency';
import { JobEvents } from './job-events';
import { toJobData, type RequestContext } from './job-request';
import { JobAlreadyFinished, JobNotFound, RequestTooLarge } from './jobs.errors';

/** How long DELETE waits for a running job's worker to confirm the kill before answering 202. */
export const CANCEL_WAIT_MS = 3_000;
/** How long a retry waits for the job of the request that claimed its Idempotency-Key. */
const CLAIM_WAIT_MS = 2_000;
/** Life of the cancel mark a worker checks when it takes a job; only needs to outlive a race. */
export const CANCEL_MARK_TTL_S = 60;
/** BullMQ's job name; the id is what matters. */
const JOB_NAME = 'run';
/** Ids are `randomUUID()`s: anything else cannot be a job, and is not looked up. */
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isJobId = (id: string): boolean => JOB_ID.test(id);

/** A job view, and whether the job has ended (so the caller answers 200 rather than 202). */
export interface Outcome {
  view: JobView;
  settled: boolean;
}

const settled = (view: JobView): Outcome => ({ view, settled: FINAL_STATUSES.includes(view.status) });

@Injectable()
export class JobsService {
  private readonly ctx: RequestContext;

  constructor(
    private readonly config: Config,
    languages: LanguageRegistry,
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue<JobData, JobResult>,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly webhooks: Queue,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly events: JobEvents,
    private readonly admission: AdmissionService,
  ) {
    this.ctx = { config, languages };
  }

  /** Queues one job; with `wait`, holds until it ends or the server's wait maximum passes. */
  async submit(req: JobRequest, wait: boolean, caller: Caller, idempotencyKey?: string): Promise<Outcome & { replayed: boolean }> {
    const data: JobData = { ...toJobData(req, this.ctx), owner: caller.quotaId };
    const id: string = randomUUID();
    if (idempotencyKey !== undefined) {
      checkIdempotencyKey(idempotencyKey);
      const earlier = await claim(this.redis, this.config, caller.quotaId, idempotencyKey, id, bodyFingerprint(data));
      if (earlier) {
        // The request that claimed the key may still be queueing its job: give it a moment.
        const job = await this.awaitClaimedJob(earlier);
        if (!job) {
          const gone = await loadJobView(this.queue, this.redis, this.config, earlier); // cancelled while queued
          if (gone) return { ...settled(gone), replayed: true };
          throw new ServiceBusy('a request with this Idempotency-Key is still being queued; retry shortly', 1);
        }
        if (wait) await this.events.settle(job, this.config.http.waitMaxMs);
        return { ...settled(await this.find(earlier)), replayed: true };
      }
    }
    let job: Job<JobData, JobResult>;
    const watch = wait ? this.events.watch(id) : null; // listening before the job exists
    try {
      await this.admission.admit(caller, [id]);
      try {
        job = await this.queue.add(JOB_NAME, data, { jobId: id });
      } catch (e) {
        await this.admission.release(caller, [id]).catch(() => undefined);
        throw e;
      }
    } catch (e) {
      watch?.stop();
      if (idempotencyKey !== undefined) await forget(this.redis, this.config, caller.quotaId, idempotencyKey).catch(() => undefined);
      throw e;
    }
    if (!watch) return { view: toJobView(job, 'waiting'), settled: false, replayed: false };
    await watch.until(this.config.http.waitMaxMs);
    return { ...settled(await this.find(id)), replayed: false };
  }

  /**
   * The job an earlier request with the same Idempotency-Key created, once it exists; undefined
   * if that request gave up (its claim released) or the job never appears.
   */
  private async awaitClaimedJob(id: string): Promise<Job<JobData, JobResult> | undefined> {
    const deadline = Date.now() + CLAIM_WAIT_MS;
    for (;;) {
      const job = await this.queue.getJob(id);
      if (job || Date.now() > deadline) return job;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Checks every job first, so a batch is queued whole or not at all. */
  async submitBatch(reqs: readonly JobRequest[], caller: Caller): Promise<string[]> {
    if (reqs.length > this.config.requests.maxBatch) throw new RequestTooLarge('jobs', this.config.requests.maxBatch, 'items');
    const data = reqs.map((req, i): JobData => ({ ...toJobData(req, this.ctx, `jobs[${i}].`), owner: caller.quotaId }));
    const ids = data.map(() => randomUUID());
    await this.admission.admit(caller, ids);
    try {
      const jobs = await this.queue.addBulk(data.map((d, i) => ({ name: JOB_NAME, data: d, opts: { jobId: ids[i] } })));
      return jobs.map((j) => j.id!);
    } catch (e) {
      await this.admission.release(caller, ids).catch(() => undefined);
      throw e;
    }
  }

  async find(id: string): Promise<JobView> {
    const view = isJobId(id) ? await loadJobView(this.queue, this.redis, this.config, id) : undefined;
    if (!view) throw new JobNotFound(id);
    return view;
  }

  /** The jobs of a comma-separated id list, in order, and the ids that have none. */
  async findMany(idList: string): Promise<{ jobs: JobView[]; notFound: string[] }> {
    const ids = [...new Set(idList.split(',').map((s) => s.trim()).filter(Boolean))];
    if (ids.length > this.config.requests.maxBatch) throw new RequestTooLarge('ids', this.config.requests.maxBatch, 'items');
    const views = await Promise.all(ids.map((id) => (isJobId(id) ? loadJobView(this.queue, this.redis, this.config, id) : undefined)));
    return {
      jobs: views.filter((v): v is JobView => v !== undefined),
      notFound: ids.filter((_, i) => views[i] === undefined),
    };
  }

  /**
   * A queued job is taken off the queue and leaves a tombstone (its view, status cancelled) for
   * the retention period. A running job is killed by the worker holding it, told through pub/sub
   * (plus a short-lived mark for a worker that takes it in the same instant); the answer waits a
   * little for the worker to confirm.
   */
  async cancel(id: string): Promise<Outcome> {
    const job = isJobId(id) ? await this.queue.getJob(id) : undefined;
    const state = job ? await job.getState() : 'unknown';
    if (!job || state === 'unknown') {
      const gone = isJobId(id) ? await loadJobView(this.queue, this.redis, this.config, id) : undefined;
      if (gone) throw new JobAlreadyFinished(id, gone.status);
      throw new JobNotFound(id);
    }
    const status = toStatus(state, job.failedReason);
    if (FINAL_STATUSES.includes(status)) throw new JobAlreadyFinished(id, status);
    if (status === 'queued') {
      const removed = await this.dequeue(job, state);
      if (removed) return settled(removed);
    }
    return this.kill(job);
  }

  /** The tombstone goes first, so a GET between the two steps never answers 404. */
  private async dequeue(job: Job<JobData, JobResult>, state: string): Promise<JobView | undefined> {
    const key = jobKey(this.config, CANCELLED_KEY, job.id!);
    const view: JobView = { ...toJobView(job, state), status: 'cancelled', finishedAt: new Date().toISOString() };
    await this.redis.set(key, JSON.stringify(view), 'EX', this.config.queue.resultRetentionS);
    if ((await this.queue.remove(job.id!)) === 1) {
      if (job.data.owner) await this.admission.release(job.data.owner, [job.id!]).catch(() => undefined);
      await publishJobEvent(this.redis, this.config, job.id!, 'cancelled').catch(() => undefined);
      if (job.data.callbackUrl) await enqueueWebhook(this.webhooks, this.config, this.redis, job.id!, job.data.callbackUrl);
      return view;
    }
    await this.redis.del(key); // a worker took it meanwhile: it is running now
    return undefined;
  }

  private async kill(job: Job<JobData, JobResult>): Promise<Outcome> {
    const id = job.id!;
    await this.redis.set(jobKey(this.config, CANCEL_REQUESTED_KEY, id), '1', 'EX', CANCEL_MARK_TTL_S);
    await this.redis.publish(jobKey(this.config, CANCEL_CHANNEL), id);
    await this.events.settle(job, CANCEL_WAIT_MS);
    return settled(await this.find(id));
  }
}
