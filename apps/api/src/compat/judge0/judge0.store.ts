/**
 * What runbox keeps of a Judge0 submission besides its job (the attributes Judge0 answers with
 * that the job contract has no place for: source as sent, expected output, limits in Judge0's
 * units, …), one JSON value per token for as long as the job's result is kept; and the tokens
 * whose finished submission is still to be PUT to their callback_url.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { JobView } from '@runbox/contract';
import { Config } from '@runbox/config';
import { jobKey, REDIS } from '@runbox/queue';
import { JobNotFound } from '../../jobs/jobs.errors';
import type { JobsService } from '../../jobs/jobs.service';
import type { Judge0Submission } from './submission-request';

/** A stored submission and the quota identity that created it. */
export interface Stored {
  submission: Judge0Submission;
  owner: string;
}

@Injectable()
export class Judge0Store {
  constructor(
    private readonly config: Config,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  private key = (token: string) => jobKey(this.config, 'judge0', token);
  /** Sorted set (score = submit time) of tokens with a callback not yet queued. */
  readonly callbacksKey = () => jobKey(this.config, 'judge0-callbacks');

  /** Keeps the submissions of `tokens` (in order) and registers their callbacks, in one round trip. */
  async save(entries: readonly { token: string; stored: Stored }[]): Promise<void> {
    const tx = this.redis.multi();
    const now = Date.now();
    for (const { token, stored } of entries) {
      tx.set(this.key(token), JSON.stringify(stored), 'EX', this.config.queue.resultRetentionS);
      if (stored.submission.callback_url) tx.zadd(this.callbacksKey(), now, token);
    }
    await tx.exec();
  }

  async load(token: string): Promise<Stored | undefined> {
    const raw = await this.redis.get(this.key(token));
    return raw ? (JSON.parse(raw) as Stored) : undefined;
  }

  /** Up to `n` tokens with a pending callback, oldest first. */
  pendingCallbacks(n: number): Promise<string[]> {
    return this.redis.zrange(this.callbacksKey(), '0', String(n - 1));
  }

  async callbackQueued(token: string): Promise<void> {
    await this.redis.zrem(this.callbacksKey(), token);
  }
}

/** The job and the submission of `token`, read through JobsService; undefined when either is unknown (a /v1 job has no submission). */
export async function findSubmission(
  jobs: JobsService,
  store: Judge0Store,
  token: string,
): Promise<{ view: JobView; stored: Stored } | undefined> {
  let view: JobView;
  try {
    view = await jobs.find(token);
  } catch (e) {
    if (e instanceof JobNotFound) return undefined;
    throw e;
  }
  const stored = await store.load(token);
  return stored ? { view, stored } : undefined;
}
