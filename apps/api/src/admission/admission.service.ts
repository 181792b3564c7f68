/**
 * Whether a new job may be queued: the queue overall has room (MAX_QUEUE_LENGTH) and the caller
 * has fewer than MAX_ACTIVE_JOBS_PER_KEY queued or running. Active jobs are kept per caller in
 * a Redis sorted set (score = submit time) shared by every API process; the worker removes a job
 * from it when the job ends, and entries older than the longest a job can live are dropped.
 */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS_QUEUE } from '@runbox/contract';
import { Config } from '@runbox/config';
import { activeJobsKey, bullmqKeys, REDIS } from '@runbox/queue';
import type { Caller } from '../auth/caller';
import { ServiceBusy, TooManyActiveJobs } from './admission.errors';

/** An entry older than this cannot be a live job (it would have been stalled and failed). */
const ACTIVE_ENTRY_MAX_AGE_MS = 6 * 60 * 60 * 1000;

@Injectable()
export class AdmissionService {
  constructor(
    private readonly config: Config,
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /**
   * Admits these new jobs for `caller`, or throws. One round trip: the caller's entries are added
   * while the queue's length is read (BullMQ's waiting list and prioritized and delayed sets, as
   * `getJobCounts` counts them); entries of a refused request are taken back.
   */
  async admit(caller: Caller, ids: readonly string[]): Promise<void> {
    const key = activeJobsKey(this.config, caller.quotaId);
    const now = Date.now();
    const bull = bullmqKeys(this.queue);
    const results = (await this.redis
      .multi()
      .llen(bull.wait)
      .zcard(bull.prioritized)
      .zcard(bull.delayed)
      .zremrangebyscore(key, 0, now - ACTIVE_ENTRY_MAX_AGE_MS)
      .zadd(key, ...ids.flatMap((id) => [now, id]))
      .zcard(key)
      .pexpire(key, ACTIVE_ENTRY_MAX_AGE_MS)
      .exec()) as [Error | null, number][];
    const queued = results[0]![1] + results[1]![1] + results[2]![1];
    if (queued + ids.length > this.config.auth.maxQueueLength) {
      await this.release(caller.quotaId, ids);
      throw new ServiceBusy(`the queue is full (${queued} jobs waiting); try again shortly`, 5);
    }
    if (results[5]![1] > this.config.auth.maxActiveJobsPerKey) {
      await this.release(caller.quotaId, ids);
      throw new TooManyActiveJobs(this.config.auth.maxActiveJobsPerKey);
    }
  }

  /** Gives back admissions (under quota identity `quotaId`) whose jobs were not queued after all. A job that ends gives its own back (`recordJobEnd`). */
  async release(quotaId: string, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.zrem(activeJobsKey(this.config, quotaId), ...ids);
  }
}
