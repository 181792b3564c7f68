/**
 * Piston's and Jobe's clients wait for the result in the request that submits the program. Both
 * layers run their translated request through this: the same DTO and pipe as `POST /v1/jobs`
 * (one definition of a valid job), then JobsService's submit-and-wait, so auth, admission, rate
 * limits and ownership are those of /v1. Nothing here knows either peer.
 */
import { Injectable } from '@nestjs/common';
import type { JobRequest, JobView } from '@runbox/contract';
import { Config } from '@runbox/config';
import type { Caller } from '../auth/caller';
import { RequestValidationPipe } from '../http/validation';
import { CreateJobDto } from '../jobs/dto/create-job.dto';
import { JobsService } from '../jobs/jobs.service';

/** The job did not end within the server's wait maximum; it was cancelled, as nobody waits for it any more. */
export class RunNotFinished extends Error {
  constructor(readonly waitMaxMs: number) {
    super(`the program did not finish within the server's wait maximum (${waitMaxMs} ms)`);
    this.name = 'RunNotFinished';
  }
}

@Injectable()
export class SyncRunner {
  private readonly pipe = new RequestValidationPipe();

  constructor(
    private readonly jobs: JobsService,
    private readonly config: Config,
  ) {}

  /**
   * The finished job of `req`. Throws what /v1 would answer with (`InvalidRequest`,
   * `UnprocessableJob`, `RequestTooLarge`, admission refusals) for the layer to translate, and
   * `RunNotFinished` when the wait maximum passed first.
   */
  async run(req: JobRequest, caller: Caller): Promise<JobView> {
    this.pipe.transform(req, { type: 'body', metatype: CreateJobDto });
    const { view, settled } = await this.jobs.submit(req, true, caller);
    if (settled) return view;
    await this.jobs.cancel(view.id, caller).catch(() => undefined); // it may have ended meanwhile: then there is nothing to cancel
    throw new RunNotFinished(this.config.http.waitMaxMs);
  }
}
