/**
 * Jobs as the API sees them: submit (one or a batch), read, cancel. Everything lives in Redis,
 * so any number of API processes can answer for any job.
 */
import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, type MessageEvent } from '@nestjs/common';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Observable } from 'rxjs';
import { isFinalStatus, JOBS_QUEUE, WEBHOOKS_QUEUE, type JobData, type JobRequest, type JobResult, type JobView } from '@runbox/contract';
import { Config } from '@runbox/config';
import { LanguageRegistry } from '@runbox/languages';
import {
  cancelChannel,
  cancelMarkKey,
  enqueueWebhook,
  loadJobs,
  recordJobEnd,
  REDIS,
  tombstoneKey,
  toJobView,
  type Tombstone,
} from '@runbox/queue';
import { ServiceBusy } from '../admission/admission.errors';
import { AdmissionService } from '../admission/admission.service';
import { mayAccess, type Caller } from '../auth/caller';
import { bodyFingerprint, claimFor, earlierJob } from './idempotency';
import { JobEvents, type Watch } from './job-events';
import { JobStream } from './job-stream';
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

const settled = (view: JobView): Outcome => ({ view, settled: isFinalStatus(view.status) });

/** Why job `id` cannot be cancelled: it is unknown, or it has ended (its `view`). */
const notCancellable = (id: string, view: JobView | undefined): Error =>
  view ? new JobAlreadyFinished(id, view.status) : new JobNotFound(id);

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
    private readonly stream: JobStream,
    private readonly admission: AdmissionService,
  ) {
    this.ctx = { config, languages };
  }

  /** Queues one job; with `wait`, holds until it ends or the server's wait maximum passes. */
  async submit(req: JobRequest, wait: boolean, caller: Caller, idempotencyKey?: string): Promise<Outcome & { replayed: boolean }> {
    const data: JobData = { ...toJobData(req, this.ctx), owner: caller.quotaId };
    const id: string = randomUUID();
    const fingerprint = idempotencyKey === undefined ? '' : bodyFingerprint(data);
    const claim = idempotencyKey === undefined ? undefined : claimFor(this.config, caller.quotaId, idempotencyKey, id, fingerprint);
    const watch = wait ? this.events.watch(id) : null; // listening before the job exists
    try {
      const queued = await this.admission.admitAndQueue(caller, JOB_NAME, data, id, claim);
      if ('earlier' in queued) {
        watch?.stop();
        return { ...(await this.replay(earlierJob(queued.earlier, fingerprint), wait, caller)), replayed: true };
      }
      if (!watch) return { view: toJobView(queued.job, 'waiting'), settled: false, replayed: false };
      return { ...(await this.waitFor(id, watch, this.config.http.waitMaxMs, caller)), replayed: false };
    } finally {
      watch?.stop();
    }
  }

  /**
   * The job an earlier request with the same Idempotency-Key created (`id`), as a new submit
   * would answer for it. That request may still be queueing it: give it a moment to appear.
   */
  private async replay(id: string, wait: boolean, caller: Caller): Promise<Outcome> {
    const watch = wait ? this.events.watch(id) : null; // before the first read, so an end after it is not missed
    try {
      const deadline = Date.now() + CLAIM_WAIT_MS;
      let view = await this.load(id, caller); // the job, or its tombstone if it was cancelled while queued
      while (!view && Date.now() <= deadline) {
        await new Promise((r) => setTimeout(r, 25));
        view = await this.load(id, caller);
      }
      if (!view) throw new ServiceBusy('a request with this Idempotency-Key is still being queued; retry shortly', 1);
      if (!watch || isFinalStatus(view.status)) return settled(view);
      return await this.waitFor(id, watch, this.config.http.waitMaxMs, caller);
    } finally {
      watch?.stop();
    }
  }

  /**
   * Queues the job of a live session (JobData.live `session`, live-session.ts). `before(id)` runs
   * first, so the session follows the job's channel and its end before anything can be published.
   */
  async submitSession(req: JobRequest, caller: Caller, before: (id: string) => Promise<void>): Promise<JobView> {
    const data: JobData = { ...toJobData(req, this.ctx), live: 'session', owner: caller.quotaId };
    const id: string = randomUUID();
    await before(id);
    const queued = await this.admission.admitAndQueue(caller, JOB_NAME, data, id);
    // Only a claimed Idempotency-Key can answer with an earlier job, and a session makes no claim.
    if ('earlier' in queued) throw new Error('a live session was answered with an earlier job');
    return toJobView(queued.job, 'waiting');
  }

  /** Checks every job first, so a batch is queued whole or not at all; its admission is given back if it cannot be queued. */
  async submitBatch(reqs: readonly JobRequest[], caller: Caller): Promise<string[]> {
    if (reqs.length > this.config.requests.maxBatch) throw new RequestTooLarge('jobs', this.config.requests.maxBatch, 'items');
    const data = reqs.map((req, i): JobData => ({ ...toJobData(req, this.ctx, `jobs[${i}].`), owner: caller.quotaId }));
    const ids = data.map(() => randomUUID());
    await this.admission.admit(caller, ids);
    try {
      await this.queue.addBulk(data.map((d, i) => ({ name: JOB_NAME, data: d, opts: { jobId: ids[i] } })));
    } catch (e) {
      await this.admission.release(caller.quotaId, ids).catch(() => undefined);
      throw e;
    }
    return ids;
  }

  /**
   * The one read of a job by id for a caller: every route that reads, waits for, streams or
   * cancels a job by id comes through here. The view of job `id` (or of its tombstone), or
   * undefined when there is none, `id` cannot be a job id, or the job belongs to another tenant.
   * A foreign job costs the same Redis round trip as an unknown one and is answered the same, so
   * neither the body nor the timing tells a caller that an id exists.
   */
  private async load(id: string, caller: Caller): Promise<JobView | undefined> {
    return (await this.loadMany([id], caller))[0];
  }

  /** `load` of several ids, in one round trip. */
  private async loadMany(ids: readonly string[], caller: Caller): Promise<(JobView | undefined)[]> {
    const jobIds = ids.filter(isJobId);
    const stored = await loadJobs(this.queue, this.redis, this.config, jobIds);
    const byId = new Map(jobIds.map((id, i) => [id, stored[i]]));
    return ids.map((id) => {
      const s = byId.get(id);
      return s && mayAccess(caller, s.owner) ? s.view : undefined;
    });
  }

  async find(id: string, caller: Caller): Promise<JobView> {
    const view = await this.load(id, caller);
    if (!view) throw new JobNotFound(id);
    return view;
  }

  /** The jobs of a comma-separated id list, in order, and the ids that have none (or that `caller` may not see). */
  async findMany(idList: string, caller: Caller): Promise<{ jobs: JobView[]; notFound: string[] }> {
    const ids = [
      ...new Set(
        idList
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    ];
    if (ids.length > this.config.requests.maxBatch) throw new RequestTooLarge('ids', this.config.requests.maxBatch, 'items');
    const views = await this.loadMany(ids, caller);
    return {
      jobs: views.filter((v): v is JobView => v !== undefined),
      notFound: ids.filter((_, i) => views[i] === undefined),
    };
  }

  /** The live events of job `id` (JobStream), once `caller` is known to see it: a 404 is answered as JSON before the stream starts. */
  async streamEvents(id: string, caller: Caller): Promise<Observable<MessageEvent>> {
    await this.find(id, caller);
    return this.stream.stream(id);
  }

  /**
   * A queued job is taken off the queue and leaves a tombstone (its view, status cancelled) for
   * the retention period. A running job is killed by the worker holding it, told through pub/sub
   * (plus a short-lived mark for a worker that takes it in the same instant); the answer waits a
   * little for the worker to confirm.
   */
  async cancel(id: string, caller: Caller): Promise<Outcome> {
    const watch = this.events.watch(id); // before the read, so a kill confirmed after it is not missed
    try {
      const view = await this.load(id, caller);
      if (!view || isFinalStatus(view.status)) throw notCancellable(id, view);
      if (view.status === 'queued') {
        const job = await this.queue.getJob(id);
        if (!job) throw notCancellable(id, await this.load(id, caller)); // removed meanwhile: its tombstone, if any
        const removed = await this.dequeue(job, view);
        if (removed) return settled(removed);
      }
      return await this.kill(id, watch, caller);
    } finally {
      watch.stop();
    }
  }

  /** The tombstone (`view` as cancelled) goes first, so a GET between the two steps never answers 404. */
  private async dequeue(job: Job<JobData, JobResult>, view: JobView): Promise<JobView | undefined> {
    const id = job.id!;
    const key = tombstoneKey(this.config, id);
    const tombstone: JobView = { ...view, status: 'cancelled', finishedAt: new Date().toISOString() };
    // The owner goes with it, so the job stays its owner's once its record is gone.
    const stored: Tombstone = { ...tombstone, owner: job.data.owner ?? null };
    await this.redis.set(key, JSON.stringify(stored), 'EX', this.config.queue.resultRetentionS);
    if ((await this.queue.remove(id)) === 1) {
      // The callback first (its pending delivery is part of the view), then the end as a worker
      // records one: counted in the metrics, admission given back, and the final event, which
      // carries the view unless the callback's record makes it the listener's to read.
      if (job.data.callbackUrl) await enqueueWebhook(this.webhooks, this.config, this.redis, id, job.data.callbackUrl);
      await recordJobEnd(this.redis, this.config, {
        id,
        status: 'cancelled',
        language: job.data.language,
        owner: job.data.owner ?? undefined,
        view: job.data.callbackUrl ? undefined : tombstone,
      }).catch(() => undefined);
      return tombstone;
    }
    await this.redis.del(key); // a worker took it meanwhile: it is running now
    return undefined;
  }

  /** Tells the worker running job `id` to kill it, and waits (on `watch`) a little for the end. */
  private async kill(id: string, watch: Watch, caller: Caller): Promise<Outcome> {
    await this.redis.set(cancelMarkKey(this.config, id), '1', 'EX', CANCEL_MARK_TTL_S);
    await this.redis.publish(cancelChannel(this.config), id);
    return this.waitFor(id, watch, CANCEL_WAIT_MS, caller);
  }

  /** Job `id` once `watch` sees it end, or as it is after `ms`. */
  private async waitFor(id: string, watch: Watch, ms: number, caller: Caller): Promise<Outcome> {
    return settled((await watch.until(ms)) ?? (await this.find(id, caller)));
  }
}
