import type { Config } from '@runbox/config';

/** Key part of a job's webhook delivery record (see `webhookKey`). */
export const WEBHOOK_KEY = 'webhook';

/** A runbox key in Redis, under the same prefix as the queue's, so one Redis can host several runboxes. */
export function jobKey(config: Config, ...parts: string[]): string {
  return [config.redis.prefix, ...parts].join(':');
}

/** A job's webhook delivery record (`JobView.webhook`), JSON. */
export function webhookKey(config: Config, jobId: string): string {
  return jobKey(config, WEBHOOK_KEY, jobId);
}

/** Sorted set of a caller's queued+running job ids (admission control), by quota identity. */
export function activeJobsKey(config: Config, quotaId: string): string {
  return jobKey(config, 'active', quotaId);
}

/** Sorted set of an owner's running job ids, scored by the end of their lease (the per-key running cap, `running.ts`). */
export function runningJobsKey(config: Config, owner: string): string {
  return jobKey(config, 'running', owner);
}
