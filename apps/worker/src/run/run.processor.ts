/**
 * Moves jobs in and results out. One BullMQ worker whose concurrency is the number of sandbox
 * slots. Each active job has an AbortController: a cancel request (pub/sub from any API) or the
 * shutdown deadline aborts it, which kills its sandbox. A cancelled job fails with the reason
 * `cancelled` and is never retried; runbox's own failures are retried (bounded), then fail.
 */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DelayedError, Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  CANCELLED_REASON,
  InvalidJobData,
  JOBS_QUEUE,
  parseJobData,
  WEBHOOKS_QUEUE,
  type JobData,
  type JobProgressType,
  type JobResult,
} from '@runbox/contract';
import { Config } from '@runbox/config';
import {
  bullConnection,
  cancelChannel,
  enqueueWebhook,
  publishJobProgress,
  recordJobEnd,
  recordSandboxFailure,
  releaseRunningEntry,
  REDIS,
  REDIS_SUBSCRIBER,
  startJob,
  toJobView,
  type JobEnd,
} from '@runbox/queue';
import { WORKER_ID } from '../lifecycle/worker-id';
import { SlotPool } from '../sandbox/slots';
import { LiveJob } from './live';
import { RunService } from './run.service';

/** A job over its owner's running cap waits this long (plus up to as much again, so waiting jobs do not come back together). */
const RUNNING_CAP_RETRY_MS = 500;

/** Marker reason for a job aborted because this worker is shutting down (it is retried elsewhere). */
const SHUTDOWN = 'worker shutting down';

@Injectable()
export class RunProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunProcessor.name);
  private readonly active = new Map<string, AbortController>();
  private worker: Worker<JobData, JobResult> | null = null;

  constructor(
    private readonly config: Config,
    private readonly runs: RunService,
    private readonly slots: SlotPool,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly webhooks: Queue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.slots.start();
    const channel = cancelChannel(this.config);
    await this.subscriber.subscribe(channel);
    this.subscriber.on('message', (ch: string, id: string) => {
      if (ch === channel) this.active.get(id)?.abort(CANCELLED_REASON);
    });
    this.worker = new Worker<JobData, JobResult>(JOBS_QUEUE, (job, token) => this.process(job, token), {
      connection: bullConnection(this.config),
      prefix: this.config.redis.prefix,
      concurrency: this.config.worker.slots, // one job per sandbox slot
      lockDuration: this.config.queue.lockDurationMs,
      stalledInterval: Math.max(1000, Math.floor(this.config.queue.lockDurationMs / 2)),
      maxStalledCount: 1,
    });
    // Final events and callbacks go out once BullMQ has recorded the outcome, so whoever reacts
    // to them (a waiting request, an SSE client, a webhook receiver) reads the final job.
    this.worker.on('completed', (job) => void this.finished(job, 'completed'));
    this.worker.on('failed', (job, err) => {
      if (!job) return;
      if (err.message !== CANCELLED_REASON) {
        this.logger.warn(`job ${job.id} failed (attempt ${job.attemptsMade}/${job.opts.attempts ?? 1}): ${err.message}`);
      }
      void this.finishedIfFailed(job);
    });
    this.worker.on('error', (err) => this.logger.error(`queue error: ${err.message}`));
    this.logger.log(`worker ${WORKER_ID} consuming "${JOBS_QUEUE}" with ${this.config.worker.slots} slots`);
  }

  async process(job: Job<JobData, JobResult>, token?: string): Promise<JobResult> {
    const id = job.id!;
    let data: JobData;
    try {
      data = parseJobData(job.data, this.config.limits.maxima);
    } catch (e) {
      if (e instanceof InvalidJobData) throw new UnrecoverableError(`rejected by the worker: ${e.message}`);
      throw e;
    }
    const owner = data.owner ?? undefined;
    // One call takes the owner's running entry, announces the start and reads the cancel mark
    // (job-start.ts). With an owner, nothing runs before it answers (the job's box is built
    // meanwhile): at its cap, the job goes back to the queue for a while, so the slot goes to
    // another owner's job meanwhile (not an attempt: nothing ran).
    const started = startJob(this.redis, this.config, id, owner, this.runningLeaseMs());
    const mayRun = owner
      ? started.then((s) => {
          if (s === 'at-cap') throw new Error('the owner is at its running cap');
        })
      : undefined;
    mayRun?.catch(() => undefined); // awaited by the job's runs, or answered below
    const controller = new AbortController();
    this.active.set(id, controller);
    try {
      // A cancel published before this worker subscribed the job's controller leaves a mark. It
      // is read alongside the start of the run, not before it: a hit aborts the run at once, and
      // the answer is awaited before the result counts, so a run faster than it is cancelled too.
      const marked = started.then(
        (s) => s === 'cancelled' && controller.abort(CANCELLED_REASON),
        () => undefined,
      );
      let result: JobResult;
      const live = data.live ? new LiveJob(this.redis, this.config, id, data) : undefined;
      try {
        result = await this.runs.run(data, controller.signal, (type, d) => this.emit(id, type, d), live, mayRun);
      } catch (e) {
        if (controller.signal.reason === CANCELLED_REASON) throw new UnrecoverableError(CANCELLED_REASON);
        // With an owner the start's answer decides: a Redis error is rethrown here (retried, not a
        // sandbox failure), and at the cap nothing ran.
        if (owner && (await started) === 'at-cap') {
          await job.moveToDelayed(Date.now() + RUNNING_CAP_RETRY_MS + Math.floor(Math.random() * RUNNING_CAP_RETRY_MS), token);
          throw new DelayedError();
        }
        await recordSandboxFailure(this.redis, this.config.redis.prefix, data.language).catch(() => undefined);
        throw e;
      } finally {
        live?.close();
      }
      await marked;
      if (controller.signal.reason === CANCELLED_REASON) throw new UnrecoverableError(CANCELLED_REASON);
      return result;
    } finally {
      // The running entry is given back once BullMQ has recorded the attempt's end (`finished`, `finishedIfFailed`).
      this.active.delete(id);
    }
  }

  /** How long a running entry outlives a worker that died holding it: the longest a job can run, and a margin for what is not a run. */
  private runningLeaseMs(): number {
    return this.config.worker.jobTimeBudgetMs + 60_000;
  }

  /**
   * A failed attempt ends the job only if BullMQ will not try it again; else the attempt gives
   * its running entry back (if it took one) on its own, and the entry of an attempt that never
   * ran is absent, which is no matter. (A final end gives it back with the rest, job-end.ts.)
   */
  private async finishedIfFailed(job: Job<JobData, JobResult>): Promise<void> {
    if ((await job.getState().catch(() => undefined)) === 'failed') return this.finished(job, 'failed');
    const owner = ownerOf(job);
    if (owner) await releaseRunningEntry(this.redis, this.config, owner, job.id!).catch(() => undefined); // else it lapses with its lease
  }

  /**
   * Job `job` reached final BullMQ state `state`. Its callback is queued first (which records
   * the pending delivery its view shows); then one transaction counts it, gives its admission
   * back and tells whoever waits, with the final view unless the callback's record makes the
   * view theirs to read.
   */
  private async finished(job: Job<JobData, JobResult>, state: 'completed' | 'failed'): Promise<void> {
    const id = job.id!;
    const data = job.data as Partial<JobData> | undefined; // as stored: the worker may have refused it
    const url = typeof data?.callbackUrl === 'string' ? data.callbackUrl : undefined;
    if (url) await this.retrying(`callback of job ${id} not queued`, () => enqueueWebhook(this.webhooks, this.config, this.redis, id, url));
    const view = toJobView(job, state);
    const completed =
      state === 'completed' && job.returnvalue
        ? {
            verdict: job.returnvalue.verdict,
            queueWaitMs: (job.processedOn ?? job.timestamp) - job.timestamp,
            runMs: (job.finishedOn ?? Date.now()) - (job.processedOn ?? job.timestamp),
          }
        : undefined;
    await this.retrying(`end of job ${id} not recorded`, () =>
      recordJobEnd(this.redis, this.config, {
        id,
        status: view.status as JobEnd['status'],
        language: typeof data?.language === 'string' ? data.language : 'other',
        owner: ownerOf(job),
        completed,
        view: url ? undefined : view,
      }),
    );
  }

  /** Runs `step`, again a few times while Redis may be just coming back (the command connection fails fast meanwhile); logs `failure` if it never succeeds. */
  private async retrying(failure: string, step: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (e) {
        if (attempt >= 5) return this.logger.error(`${failure}: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  }

  private emit(jobId: string, type: JobProgressType, data?: unknown): void {
    publishJobProgress(this.redis, this.config, jobId, type, data).catch(() => undefined);
  }

  /** Drain: take no new jobs, let running ones finish within the grace period, then abort them (they are retried elsewhere). */
  async onApplicationShutdown(): Promise<void> {
    if (!this.worker) return this.slots.close();
    const closing = this.worker.close();
    const deadline = setTimeout(() => {
      for (const c of this.active.values()) c.abort(SHUTDOWN);
    }, this.config.worker.shutdownGraceMs);
    await closing;
    clearTimeout(deadline);
    await this.slots.close(); // no sandbox is left behind
    this.logger.log('worker drained');
  }
}

/** The owner of `job` as stored (the worker may have refused its data). */
function ownerOf(job: Job<JobData, JobResult>): string | undefined {
  const owner = (job.data as Partial<JobData> | undefined)?.owner;
  return typeof owner === 'string' ? owner : undefined;
}
