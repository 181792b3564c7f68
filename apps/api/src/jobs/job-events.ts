/**
 * This process's one subscription to the job events that workers (and APIs, for a job cancelled
 * while queued) publish through Redis pub/sub (libs/queue events.ts). Every SSE stream, every
 * `?wait=true` and every cancel listens here: one connection and one JSON parse per event for
 * the whole process, and no second reading of BullMQ's event stream. Jobs' ends are always
 * followed; their progress (running, compiled, test) only while a stream needs it, so a process
 * that only waits is not woken for every job's start.
 *
 * Pub/sub drops what is published while this connection is down, so a wait never trusts it
 * alone: it reads the job again when the connection comes back, and every few seconds while it
 * waits (which also covers a publisher that could not reach Redis), and its caller reads the job
 * when the wait ends.
 */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { isFinalStatus, JOBS_QUEUE, type JobEvent, type JobView } from '@runbox/contract';
import { Config } from '@runbox/config';
import { eventsChannel, loadJobView, progressChannel, REDIS, REDIS_SUBSCRIBER } from '@runbox/queue';

/** How often a wait reads its job in case its final event was lost. */
export const RECHECK_MS = 2_000;

export type JobListener = (event: JobEvent) => void;

/** A wait for the end of one job; see `JobEvents.watch`. */
export interface Watch {
  /**
   * Resolves when the job has ended or after `ms`, whichever comes first: with the final view
   * its end event carried or a recheck read, or undefined (the caller reads the job itself).
   */
  until(ms: number): Promise<JobView | undefined>;
  /** Gives up listening; safe to call more than once. */
  stop(): void;
}

/** The final view a final event carries (its publisher leaves it out when the job still has a callback to record). */
export function finalViewOf(event: JobEvent): JobView | undefined {
  const v = event.data as JobView | undefined;
  return v && typeof v === 'object' && v.id === event.jobId && v.status === event.type ? v : undefined;
}

@Injectable()
export class JobEvents implements OnModuleInit {
  private readonly listeners = new Map<string, Set<JobListener>>();
  private readonly rechecks = new Set<() => void>();
  private readonly channel: string;
  private readonly progress: string;
  /** How many streams follow progress now; the progress channel is subscribed while it is above 0. */
  private progressFollowers = 0;
  private progressSubscribed: Promise<unknown> | undefined;

  constructor(
    private readonly config: Config,
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
  ) {
    this.channel = eventsChannel(config);
    this.progress = progressChannel(config);
  }

  onModuleInit(): void {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel && channel !== this.progress) return;
      let event: JobEvent;
      try {
        event = JSON.parse(message) as JobEvent;
      } catch {
        return;
      }
      for (const listener of this.listeners.get(event.jobId) ?? []) listener(event);
    });
    // Back after an outage (ioredis has resubscribed): what was published meanwhile is lost.
    this.subscriber.on('ready', () => this.rechecks.forEach((recheck) => recheck()));
    // Not awaited: a Redis that is down at start-up must not keep the API from starting.
    this.subscriber.subscribe(this.channel).catch(() => undefined);
  }

  /**
   * Follows progress events too, until the returned `release` is called. Resolves once they are
   * subscribed, so a state read after it cannot miss one; at once while the subscriber is not
   * connected (ioredis subscribes when it is back, and the stream shows the state and the end, as
   * after any lost event).
   */
  async followProgress(): Promise<() => void> {
    if (this.progressFollowers++ === 0) this.progressSubscribed = this.subscriber.subscribe(this.progress).catch(() => undefined);
    if (this.subscriber.status === 'ready') await this.progressSubscribed;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.progressFollowers > 0) return;
      this.progressSubscribed = undefined;
      this.subscriber.unsubscribe(this.progress).catch(() => undefined);
    };
  }

  /** Calls `listener` with every event of job `id` from now on (progress only while followed); returns the way to stop. */
  listen(id: string, listener: JobListener): () => void {
    const set = this.listeners.get(id) ?? new Set();
    set.add(listener);
    this.listeners.set(id, set);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(id) === set) this.listeners.delete(id);
    };
  }

  /**
   * Starts listening for the end of job `id`. Started before the job is queued, or before the
   * read that decides whether to wait for it, its final event cannot be missed: it comes after
   * the listener, or the read already shows the job ended.
   */
  watch(id: string): Watch {
    let finish!: (view: JobView | undefined) => void;
    const ended = new Promise<JobView | undefined>((resolve) => (finish = resolve));
    const recheck = () => {
      loadJobView(this.queue, this.redis, this.config, id).then(
        (view) => view && isFinalStatus(view.status) && finish(view),
        () => undefined,
      );
    };
    const unlisten = this.listen(id, (e) => isFinalStatus(e.type) && finish(finalViewOf(e)));
    let timer: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    const stop = () => {
      unlisten();
      this.rechecks.delete(recheck);
      clearTimeout(timer);
      clearInterval(poll);
      finish(undefined);
    };
    return {
      until: async (ms: number) => {
        this.rechecks.add(recheck);
        timer = setTimeout(stop, Math.max(0, ms));
        poll = setInterval(recheck, RECHECK_MS);
        const view = await ended;
        stop();
        return view;
      },
      stop,
    };
  }
}
