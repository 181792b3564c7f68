/**
 * Judge0's callback: when a submission with a callback_url ends, whatever its status, the
 * submission (default fields, base64, as isolate_job.rb `call_callback` sends it) is PUT to the
 * URL. The body is rendered here, after the end, and handed to runbox's own webhook sender with
 * method PUT: the same SSRF guard, signing, retries and delivery record as /v1 callbacks.
 *
 * Which tokens still owe a callback lives in Redis (Judge0Store), so no end is lost with an API
 * process: the process that queued a job follows its end event for a prompt delivery, and every
 * process sweeps the oldest pending tokens now and then for ends nobody saw. Queuing the same
 * delivery twice is harmless (its id is fixed per job).
 */
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { isFinalStatus } from '@runbox/contract';
import type { Caller } from '../../auth/caller';
import { JobAnnex } from '../../jobs/job-annex';
import { JobEvents } from '../../jobs/job-events';
import { JobsService } from '../../jobs/jobs.service';
import { DEFAULT_FIELDS } from './fields';
import { findSubmission, JUDGE0_ANNEX, Judge0Store } from './judge0.store';
import { renderSubmission } from './submission-view';

/**
 * Who reads a job to announce its end: no tenant, so any job. The announcement goes to the URL
 * the job's own submitter gave, with the job's own submission: nobody else learns anything.
 */
const ANNOUNCER: Caller = { quotaId: 'judge0:callbacks', tenant: null };

/** How often every API process looks for ends it did not see. */
const SWEEP_MS = 2_000;
/** Pending tokens looked at per sweep (the oldest, which end first in a FIFO queue). */
const SWEEP_BATCH = 100;

@Injectable()
export class Judge0Callbacks implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Judge0Callbacks');
  private timer: NodeJS.Timeout | undefined;
  private readonly following = new Map<string, () => void>();

  constructor(
    private readonly jobs: JobsService,
    private readonly events: JobEvents,
    private readonly store: Judge0Store,
    private readonly annex: JobAnnex,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    for (const stop of this.following.values()) stop();
    this.following.clear();
  }

  /** Delivers the callbacks of `tokens` as soon as their jobs end (they are already pending in Redis). */
  follow(tokens: readonly string[]): void {
    for (const token of tokens) {
      if (this.following.has(token)) continue;
      const stop = this.events.listen(token, (e) => {
        if (!isFinalStatus(e.type)) return;
        this.unfollow(token);
        void this.deliver(token);
      });
      this.following.set(token, stop);
    }
  }

  private unfollow(token: string): void {
    this.following.get(token)?.();
    this.following.delete(token);
  }

  private async sweep(): Promise<void> {
    try {
      for (const token of await this.annex.owed(JUDGE0_ANNEX, SWEEP_BATCH)) await this.deliver(token);
    } catch (e) {
      this.logger.warn(`callback sweep: ${(e as Error).message}`); // Redis away: the next sweep tries again
    }
  }

  /** Queues the PUT of `token`'s finished submission; nothing while the job runs; forgets a token whose job is gone. */
  async deliver(token: string): Promise<void> {
    const found = await findSubmission(this.jobs, this.store, token, ANNOUNCER);
    if (!found) {
      await this.annex.settle(JUDGE0_ANNEX, token); // its retention ended: nothing left to announce
      return;
    }
    const url = found.stored.submission.callback_url;
    if (!isFinalStatus(found.view.status) || !url) {
      if (!url) await this.annex.settle(JUDGE0_ANNEX, token);
      return;
    }
    const rendered = renderSubmission(token, found.view, found.stored.submission, {
      base64: true,
      fields: DEFAULT_FIELDS,
      language: { id: found.stored.submission.language_id, name: '' },
    });
    if (!('body' in rendered)) return; // cannot happen with base64; kept for the type
    await this.annex.announce(JUDGE0_ANNEX, token, url, { method: 'PUT', payload: JSON.stringify(rendered.body) });
    this.unfollow(token);
  }
}
