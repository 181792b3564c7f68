/**
 * What happens in Redis when a job reaches its final status, after BullMQ has recorded it: the
 * job counts in the metrics, leaves its owner's admissions and running entries, and its final
 * event goes out, in one script (one call, one round trip), the event last, so whoever it wakes
 * reads the rest done.
 */
import type { Redis } from 'ioredis';
import type { JobStatus, JobView, Verdict } from '@runbox/contract';
import type { Config } from '@runbox/config';
import { jobEventMessage } from './events';
import { activeJobsKey, eventsChannel, runningJobsKey } from './keys';
import { jobFinishedIncrements } from './metrics-store';
import { LuaScript } from './script';

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

/**
 * KEYS: the metrics hash of each increment, then the sets the job leaves (its owner's admissions
 * and running entries). ARGV: job id, events channel, final event, number of increments, then
 * field and amount of each increment.
 */
const END = new LuaScript(`
local n = tonumber(ARGV[4])
for i = 1, n do
  redis.call('HINCRBY', KEYS[i], ARGV[3 + 2 * i], ARGV[4 + 2 * i])
end
for i = n + 1, #KEYS do
  redis.call('ZREM', KEYS[i], ARGV[1])
end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`);

export async function recordJobEnd(redis: Redis, config: Config, end: JobEnd): Promise<void> {
  const increments = jobFinishedIncrements(config.redis.prefix, {
    status: end.status,
    verdict: null,
    language: end.language,
    ...end.completed,
  });
  const keys = increments.map(([key]) => key);
  // A running entry is the worker's (running.ts); a job cancelled while queued has none, and ZREM of what is absent is a no-op.
  if (end.owner) keys.push(activeJobsKey(config, end.owner), runningJobsKey(config, end.owner));
  const args: (string | number)[] = [end.id, eventsChannel(config), jobEventMessage(end.id, end.status, end.view), increments.length];
  for (const [, field, by] of increments) args.push(field, by);
  await END.run(redis, keys, args);
}
