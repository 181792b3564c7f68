/**
 * What happens in Redis when a job reaches its final status, after BullMQ has recorded it: the
 * job counts in the metrics, leaves its owner's admissions, and its final event goes out, in one
 * transaction (one round trip), the event last, so whoever it wakes reads the rest done.
 */
import type { Redis } from 'ioredis';
import type { JobStatus, JobView, Verdict } from '@runbox/contract';
import type { Config } from '@runbox/config';
import { jobEventMessage } from './events';
import { eventsChannel } from './keys';
import { activeJobsKey } from './keys';
import { countJobFinished } from './metrics-store';

export interface JobEnd {
  id: string;
  status: Extract<JobStatus, 'completed' | 'failed' | 'cancelled'>;
  language: string;
  /** The quota identity that was admitted for it, if any. */
  owner?: string;
  /** A completed job's verdict, queue wait and run time. */
  completed?: { verdict: Verdict; queueWaitMs: number; runMs: number };
  /** Carried by the final event, so a waiting request needs no read; left out for a job with a callback, whose delivery record the view shows and changes. */
  view?: JobView;
}

export async function recordJobEnd(redis: Redis, config: Config, end: JobEnd): Promise<void> {
  const tx = countJobFinished(redis.multi(), config.redis.prefix, {
    status: end.status,
    verdict: null,
    language: end.language,
    ...end.completed,
  });
  if (end.owner) tx.zrem(activeJobsKey(config, end.owner), end.id);
  tx.publish(eventsChannel(config), jobEventMessage(end.id, end.status, end.view));
  await tx.exec();
}
