/**
 * This process's one `QueueEvents` (a blocking reader of the queue's event stream): every
 * `?wait=true` and every cancel waits on it, instead of one Redis connection per waiting request.
 */
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { QueueEvents } from 'bullmq';
import { JOBS_QUEUE } from '@runbox/contract';
import { Config } from '@runbox/config';
import { bullConnection } from '@runbox/queue';

/** A wait for the end of one job; see `JobEvents.watch`. */
export interface Watch {
  /** Resolves when the job has ended (completed or failed) or after `ms`, whichever comes first. */
  until(ms: number): Promise<void>;
  /** Gives up listening; safe to call more than once. */
  stop(): void;
}

@Injectable()
export class JobEvents implements OnModuleInit, OnApplicationShutdown {
  private readonly events: QueueEvents;

  constructor(config: Config) {
    // A blocking reader: its own connection that waits out Redis outages (the queue's own fails
    // fast). The prefix is the queue's (QueueModule gives every queue this one).
    this.events = new QueueEvents(JOBS_QUEUE, { connection: bullConnection(config), prefix: config.redis.prefix });
    // Every waiting request listens on it; hundreds of concurrent waits are normal here, not a leak.
    this.events.setMaxListeners(0);
    // A lost connection is retried by the client; a wait that misses its event ends at its deadline.
    this.events.on('error', () => undefined);
  }

  /** Reading must have started before the first job is added, or its events could be missed. */
  async onModuleInit(): Promise<void> {
    await this.events.waitUntilReady();
  }

  /**
   * Starts listening for the end of job `id`. Started before the job is queued, or before the
   * read that decides whether to wait for it, its `completed`/`failed` event cannot be missed:
   * it comes after the listener, or the read already shows the job ended.
   */
  watch(id: string): Watch {
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

  async onApplicationShutdown(): Promise<void> {
    await this.events.close();
  }
}
