/**
 * This process's one `QueueEvents` (a blocking reader of the queue's event stream): every
 * `?wait=true` and every cancel waits on it, instead of one Redis connection per waiting request.
 */
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { JOBS_QUEUE } from '@runbox/contract';
import { Config } from '@runbox/config';
import { bullConnection } from '@runbox/queue';

@Injectable()
export class JobEvents implements OnModuleInit, OnApplicationShutdown {
  private readonly events: QueueEvents;

  constructor(@InjectQueue(JOBS_QUEUE) queue: Queue, config: Config) {
    // A blocking reader: its own connection that waits out Redis outages (the queue's own fails fast).
    this.events = new QueueEvents(JOBS_QUEUE, { connection: bullConnection(config), prefix: queue.opts.prefix });
    // Every waiting request listens on both (BullMQ's waitUntilFinished also watches the queue
    // closing); hundreds of concurrent waits are normal here, not a leak.
    this.events.setMaxListeners(0);
    queue.setMaxListeners(0);
    // A lost connection is retried by the client; a wait that misses its event ends at its deadline.
    this.events.on('error', () => undefined);
  }

  /** Reading must have started before the first job is added, or its events could be missed. */
  async onModuleInit(): Promise<void> {
    await this.events.waitUntilReady();
  }

  /**
   * Starts listening for the end of job `id` before it is queued: its `completed`/`failed` event
   * cannot come before the listener, so unlike `settle` no state check is needed (one script
   * less per waiting request). `until(ms)` resolves at the end or after `ms`; `stop()` gives up.
   */
  watch(id: string): { until(ms: number): Promise<void>; stop(): void } {
    let finish!: () => void;
    const ended = new Promise<void>((resolve) => (finish = resolve));
    const events = [`completed:${id}`, `failed:${id}`];
    const emitter = this.events as unknown as NodeJS.EventEmitter; // per-job event names are not in its typed list
    const stop = () => {
      for (const e of events) emitter.off(e, finish);
      finish();
    };
    for (const e of events) emitter.once(e, finish);
    return {
      until: async (ms: number) => {
        const timer = setTimeout(stop, Math.max(0, ms));
        await ended;
        clearTimeout(timer);
        stop();
      },
      stop,
    };
  }

  /** Resolves when `job` has finished (completed or failed) or after `ms`, whichever comes first. */
  async settle(job: Job, ms: number): Promise<void> {
    if (ms <= 0) return;
    await job.waitUntilFinished(this.events, ms).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.events.close();
  }
}
