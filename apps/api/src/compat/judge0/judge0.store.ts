/**
 * What runbox keeps of a Judge0 submission besides its job (the attributes Judge0 answers with
 * that the job contract has no place for: source as sent, expected output, limits in Judge0's
 * units, …), kept next to the job for as long as its result (JobAnnex); and which tokens still
 * owe the PUT of their finished submission to their callback_url.
 */
import { Injectable } from '@nestjs/common';
import type { JobView } from '@runbox/contract';
import type { Caller } from '../../auth/caller';
import { JobAnnex } from '../../jobs/job-annex';
import { JobNotFound } from '../../jobs/jobs.errors';
import type { JobsService } from '../../jobs/jobs.service';
import type { Judge0Submission } from './submission-request';

/** JobAnnex kind of Judge0's submissions. */
export const JUDGE0_ANNEX = 'judge0';

/** A stored submission and the quota identity that created it. */
export interface Stored {
  submission: Judge0Submission;
  owner: string;
}

@Injectable()
export class Judge0Store {
  constructor(private readonly annex: JobAnnex) {}

  /** Keeps the submissions of `entries` and registers the callbacks they owe, in one round trip. */
  async save(entries: readonly { token: string; stored: Stored }[]): Promise<void> {
    await this.annex.save(
      JUDGE0_ANNEX,
      entries.map(({ token, stored }) => ({ id: token, value: JSON.stringify(stored), owesCallback: !!stored.submission.callback_url })),
    );
  }

  async load(token: string): Promise<Stored | undefined> {
    const raw = await this.annex.load(JUDGE0_ANNEX, token);
    return raw ? (JSON.parse(raw) as Stored) : undefined;
  }
}

/** The job and the submission of `token`, read through JobsService as `caller`; undefined when either is unknown to it (a /v1 job has no submission). */
export async function findSubmission(
  jobs: JobsService,
  store: Judge0Store,
  token: string,
  caller: Caller,
): Promise<{ view: JobView; stored: Stored } | undefined> {
  let view: JobView;
  try {
    view = await jobs.find(token, caller);
  } catch (e) {
    if (e instanceof JobNotFound) return undefined;
    throw e;
  }
  const stored = await store.load(token);
  return stored ? { view, stored } : undefined;
}
