/**
 * Server-Sent Events of one job: its current state first (so a stream opened late, even after
 * the job ended, starts right), then what the workers publish (running, compiled, each test,
 * and for a job queued with `liveOutput` its program's `output` as it comes), and finally
 * completed | failed | cancelled carrying the final job view, after which the stream ends. The
 * process's one subscription (JobEvents, LiveEvents) feeds every open stream.
 */
import { Inject, Injectable, type MessageEvent, type OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Observable, type Subscriber } from 'rxjs';
import { isFinalStatus, JOBS_QUEUE, type JobEvent, type JobStatus, type JobView } from '@runbox/contract';
import { Config } from '@runbox/config';
import { loadJobView, REDIS } from '@runbox/queue';
import { finalViewOf, JobEvents } from './job-events';
import { LiveEvents } from './live-events';

/** Proxies close idle connections; a comment-like event every so often keeps the stream open. */
export const KEEPALIVE_MS = 15_000;

@Injectable()
export class JobStream implements OnApplicationShutdown {
  private readonly open = new Set<Subscriber<MessageEvent>>();

  constructor(
    private readonly config: Config,
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly events: JobEvents,
    private readonly live: LiveEvents,
  ) {}

  /** Ends every open stream, so a shutdown is not held open by clients: an open SSE response keeps
   * the server from closing until the client leaves. */
  onApplicationShutdown(): void {
    for (const s of this.open) s.complete();
  }

  /** The stream of job `id`, whose current view the caller has already loaded (so it exists). */
  stream(id: string): Observable<MessageEvent> {
    return new Observable<MessageEvent>((out) => {
      this.open.add(out);
      let started = false;
      let ended = false;
      const early: (JobEvent | MessageEvent)[] = [];
      /** Ends the stream with the final view: `known` if the caller has it, else read now. */
      const finish = async (type: string, known?: JobView) => {
        if (ended) return;
        ended = true;
        const view = known ?? (await loadJobView(this.queue, this.redis, this.config, id).catch(() => undefined));
        out.next({ type, data: view ?? { id, status: type } });
        out.complete();
      };
      const deliver = (e: JobEvent | MessageEvent) => {
        if (ended) return;
        if (!('jobId' in e)) return out.next(e); // an output event, as it goes out
        if (isFinalStatus(e.type)) return void finish(e.type, finalViewOf(e));
        out.next({ type: e.type, data: e.data ?? {} });
      };
      const listener = (e: JobEvent | MessageEvent) => (started ? deliver(e) : early.push(e));
      // Listen, and follow progress and output, before reading the state: an event between the
      // two is queued, never lost.
      const unlisten = this.events.listen(id, listener);
      const unlive = this.live.listen(id, ({ type, ...data }) => type === 'output' && listener({ type, data }));
      const following = Promise.all([this.events.followProgress(), unlive]).then(([release]) => release);

      void following
        .then(() => loadJobView(this.queue, this.redis, this.config, id))
        .then(
          (view: JobView | undefined) => {
            const status: JobStatus = view?.status ?? 'failed';
            if (isFinalStatus(status)) return finish(status, view);
            out.next({ type: status, data: view });
            started = true;
            early.splice(0).forEach(deliver);
          },
          (e: unknown) => out.error(e),
        );
      const keepalive = setInterval(() => out.next({ type: 'keepalive', data: {} }), KEEPALIVE_MS);
      return () => {
        clearInterval(keepalive);
        unlisten();
        void unlive.then((off) => off());
        void following.then((release) => release());
        this.open.delete(out);
      };
    });
  }
}
