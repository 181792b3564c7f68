/**
 * `Idempotency-Key` on POST /v1/jobs: the same key and body from the same caller return the same
 * job for 24 hours; the same key with a different body is refused (422). The record is claimed
 * atomically with the job's admission, before the job is queued, so two concurrent retries cannot
 * both create a job.
 */
import { createHash } from 'node:crypto';
import type { JobData } from '@runbox/contract';
import type { Config } from '@runbox/config';
import { idempotencyKey } from '@runbox/queue';
import type { Claim } from '../admission/admission.service';
import { InvalidRequest } from '../http/validation';
import { UnprocessableJob } from './jobs.errors';

export const IDEMPOTENCY_TTL_S = 24 * 60 * 60;
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The Redis key of `quotaId`'s record of Idempotency-Key `key`. */
const idemKey = (config: Config, quotaId: string, key: string) => idempotencyKey(config, sha256(`${quotaId}\0${key}`));

/** What identifies "the same body": the normalised job, without its submission time. */
export function bodyFingerprint(data: JobData): string {
  const { createdAt: _createdAt, ...rest } = data;
  return sha256(JSON.stringify(rest));
}

function checkIdempotencyKey(key: string): void {
  if (!KEY_SHAPE.test(key)) {
    throw new InvalidRequest([
      { field: 'Idempotency-Key', rule: 'format', message: 'Idempotency-Key must be 1 to 255 visible ASCII characters' },
    ]);
  }
}

/**
 * The claim of `key` for job `id` (AdmissionService makes it, with the admission, when no earlier
 * request holds the key). A malformed key is refused before Redis is asked anything.
 */
export function claimFor(config: Config, quotaId: string, key: string, id: string, fingerprint: string): Claim {
  checkIdempotencyKey(key);
  return { key: idemKey(config, quotaId, key), record: JSON.stringify({ id, fingerprint }), ttlS: IDEMPOTENCY_TTL_S };
}

/** The job of an earlier claim's `record`, if it was made for the same body; a different body is refused. */
export function earlierJob(record: string, fingerprint: string): string {
  const earlier = JSON.parse(record) as { id: string; fingerprint: string };
  if (earlier.fingerprint !== fingerprint) {
    throw new UnprocessableJob([
      {
        field: 'Idempotency-Key',
        rule: 'sameBody',
        message: 'this Idempotency-Key was used with a different body; use a new key for a new job',
      },
    ]);
  }
  return earlier.id;
}
