/**
 * `/metrics`: this process's own metrics (prom-client defaults) and the service's, which live
 * in Redis because workers are other processes: jobs finished by status and verdict, queue wait
 * and run duration per language, sandbox failures (counted by workers), and queue depth by state
 * (asked of BullMQ). One Redis read per scrape; the collectors below only read its snapshot.
 * The registry is this application's own, so several apps in one process (tests) never clash.
 */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { JOBS_QUEUE } from '@runbox/contract';
import { Config } from '@runbox/config';
import { readMetrics, REDIS, type MetricsSnapshot } from '@runbox/queue';
import { RedisHistogram } from './redis-histogram';

/** BullMQ's job states, as counted by `getJobCounts`. */
export const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'waiting-children', 'active', 'completed', 'failed'] as const;

interface Snapshot {
  stored: MetricsSnapshot;
  queue: Record<string, number>;
}

const EMPTY: Snapshot = { stored: { jobsFinished: [], queueWait: [], runDuration: [], sandboxFailures: [] }, queue: {} };

@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private latest: Snapshot = EMPTY;

  constructor(
    private readonly config: Config,
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    collectDefaultMetrics({ register: this.registry });
    const read = () => this.latest;
    const registers = [this.registry];

    new Counter({
      name: 'runbox_jobs_finished_total',
      help: 'Jobs that reached a final status, by status and verdict (verdict "none" when the job did not complete)',
      labelNames: ['status', 'verdict'] as const,
      registers,
      collect() {
        this.reset();
        for (const j of read().stored.jobsFinished) this.inc({ status: j.status, verdict: j.verdict ?? 'none' }, j.count);
      },
    });
    new Gauge({
      name: 'runbox_queue_jobs',
      help: 'Jobs in the queue by BullMQ state (completed and failed: still within retention)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const counts = read().queue;
        for (const state of QUEUE_STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
    new Counter({
      name: 'runbox_sandbox_failures_total',
      help: 'Runs that failed because of runbox (launcher or sandbox), not the program, by language',
      labelNames: ['language'] as const,
      registers,
      collect() {
        this.reset();
        for (const f of read().stored.sandboxFailures) this.inc({ language: f.language }, f.count);
      },
    });
    new RedisHistogram(
      'runbox_queue_wait_seconds',
      'Time completed jobs waited in the queue, by language',
      this.registry,
      () => read().stored.queueWait,
    );
    new RedisHistogram(
      'runbox_run_duration_seconds',
      'Time workers spent on completed jobs, by language',
      this.registry,
      () => read().stored.runDuration,
    );
  }

  /** The exposition text, from a fresh snapshot. */
  async scrape(): Promise<string> {
    const [stored, queue] = await Promise.all([
      readMetrics(this.redis, this.config.redis.prefix),
      this.queue.getJobCounts(...QUEUE_STATES),
    ]);
    this.latest = { stored, queue };
    return this.registry.metrics();
  }
}
