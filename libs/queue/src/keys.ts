import type { Config } from '@runbox/config';

/** A runbox key in Redis, under the same prefix as the queue's, so one Redis can host several runboxes. */
export function jobKey(config: Config, ...parts: string[]): string {
  return [config.redis.prefix, ...parts].join(':');
}

/** Sorted set of a caller's queued+running job ids (admission control), by quota identity. */
export function activeJobsKey(config: Config, quotaId: string): string {
  return jobKey(config, 'active', quotaId);
}
