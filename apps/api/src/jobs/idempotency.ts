/**
 * `Idempotency-Key` on POST /v1/jobs: the same key and body from the same caller return the same
 * job for 24 hours; the same key with a different body is refused (422). The record is claimed
 * with SET NX before the job is queued, so two concurrent retries cannot both create a job.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { JobData } from '@runbox/contract';
import type { Config } from '@runbox/config';
import { idempotencyKey } from '@runbox/queue';
import { ServiceBusy } from '../admission/admission.errors';
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
 * Claims `key` for job `id`. Returns undefined when the claim is new (queue the job), or the id
 * of the job an earlier request with the same key and body created. A malformed key is refused
 * before Redis is asked anything.
 */
export async function claim(
  redis: Redis,
  config: Config,
  quotaId: string,
  key: string,
  id: string,
  fingerprint: string,
): Promise<string | undefined> {
  checkIdempotencyKey(key);
  const k = idemKey(config, quotaId, key);
  const record = JSON.stringify({ id, fingerprint });
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await redis.set(k, record, 'EX', IDEMPOTENCY_TTL_S, 'NX')) === 'OK') return undefined;
    const raw = await redis.get(k);
    // Gone between the two calls: the request that held it gave up (forget). Claim it again,
    // rather than answer with an id nobody will queue.
    if (raw === null) continue;
    const existing = JSON.parse(raw) as { id: string; fingerprint: string };
    if (existing.fingerprint !== fingerprint) {
      throw new UnprocessableJob([
        {
          field: 'Idempotency-Key',
          rule: 'sameBody',
          message: 'this Idempotency-Key was used with a different body; use a new key for a new job',
        },
      ]);
    }
    return existing.id;
  }
  throw new ServiceBusy('a request with this Idempotency-Key keeps being given up; retry shortly', 1);
}

export async function forget(redis: Redis, config: Config, quotaId: string, key: string): Promise<void> {
  await redis.del(idemKey(config, quotaId, key));
}
