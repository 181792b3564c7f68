/**
 * Interactive sessions: a client's program runs as a live job (JobData.live `session`), its
 * stages, output and end come back as the worker publishes them, and what the client types goes
 * to the program's stdin while it runs (a list the worker running the job reads, libs/queue
 * keys.ts `sessionInputKey`). Nothing here knows a wire protocol: the Piston WebSocket route
 * (compat/piston/piston-connect.ts) speaks over it.
 *
 * The sandbox stays single-use: a session is one job, and ends when its program ends, when its
 * wall limit (the launcher's) or the job's time budget passes, or when its client goes (the job
 * is cancelled). Its input is bounded by MAX_STDIN_BYTES, like a job's stdin.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { isFinalStatus, type JobRequest, type JobView, type LiveMessage } from '@runbox/contract';
import { Config } from '@runbox/config';
import { REDIS, sessionInputKey } from '@runbox/queue';
import type { Caller } from '../auth/caller';
import { RequestValidationPipe } from '../http/validation';
import { CreateJobDto } from './dto/create-job.dto';
import { JobEvents } from './job-events';
import { JobsService } from './jobs.service';
import { LiveEvents } from './live-events';

/** Room, beyond the job's time budget, for its wait in the queue before a session gives up on it. */
const QUEUE_ROOM_MS = 60_000;

export interface SessionHandlers {
  /** A stage, a chunk of output, the end of a run, as the worker publishes them. */
  message(m: LiveMessage): void;
  /** The job's final view (once, at the end; undefined if it could not be read). */
  end(view: JobView | undefined): void;
}

export class SessionInputTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`stdin is limited to ${maxBytes} bytes in a session`);
    this.name = 'SessionInputTooLarge';
  }
}

/** One open session: its job, and the way to feed and stop it. */
export interface Session {
  id: string;
  /** Appends `data` to the program's stdin; throws `SessionInputTooLarge` past the maximum. */
  write(data: string): Promise<void>;
  /** Kills the program (the job is cancelled); the end follows through `end`. */
  kill(): Promise<void>;
  /** The client is gone: the job is cancelled if it still runs, nothing more is delivered. */
  close(): void;
}

@Injectable()
export class LiveSessions {
  private readonly pipe = new RequestValidationPipe();

  constructor(
    private readonly config: Config,
    private readonly jobs: JobsService,
    private readonly events: JobEvents,
    private readonly live: LiveEvents,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /**
   * Queues `req` as a session of `caller`. Throws what POST /v1/jobs would answer with
   * (validation, limits, admission) before anything is queued.
   */
  async open(req: JobRequest, caller: Caller, on: SessionHandlers): Promise<Session> {
    const body = (await this.pipe.transform(req, { type: 'body', metatype: CreateJobDto })) as CreateJobDto;
    let closed = false;
    let unlive: (() => void) | undefined;
    let watch: ReturnType<JobEvents['watch']> | undefined;
    const view = await this.jobs
      .submitSession(body, caller, async (id) => {
        unlive = await this.live.listen(id, (m) => !closed && on.message(m));
        watch = this.events.watch(id);
      })
      .catch((e: unknown) => {
        unlive?.();
        watch?.stop();
        throw e;
      });
    const id = view.id;
    const key = sessionInputKey(this.config, id);
    const lifeMs = this.config.worker.jobTimeBudgetMs + QUEUE_ROOM_MS;
    let written = 0;
    const cancel = () =>
      this.jobs.cancel(id, caller).then(
        () => undefined,
        () => undefined, // ended meanwhile: nothing to cancel
      );
    void watch!.until(lifeMs).then(async (ended) => {
      const final = ended ?? (await this.jobs.find(id, caller).catch(() => undefined));
      if (!final || !isFinalStatus(final.status)) await cancel(); // it outlived any run it could have: stop it
      unlive?.();
      this.redis.del(key).catch(() => undefined);
      if (!closed) on.end(ended ?? (await this.jobs.find(id, caller).catch(() => undefined)));
      closed = true;
    });
    return {
      id,
      write: async (data) => {
        written += Buffer.byteLength(data);
        if (written > this.config.requests.maxStdinBytes) throw new SessionInputTooLarge(this.config.requests.maxStdinBytes);
        await this.redis.multi().rpush(key, data).pexpire(key, lifeMs).exec();
      },
      kill: cancel,
      close: () => {
        if (closed) return;
        closed = true;
        void cancel();
      },
    };
  }
}
