/**
 * The cap on jobs of one owner (API key, or address when open) running at once across every
 * worker (MAX_RUNNING_JOBS_PER_KEY), so that one key cannot hold every slot of a fleet while
 * others wait. An owner's running jobs are a sorted set of job ids scored by the end of their
 * lease: a worker takes an entry, atomically with the count, when it starts a job, and gives it
 * back when that attempt ends; the entry of a worker that died with it lapses with its lease. An
 * entry is per job id, so a job run again (a stalled one, a retry) counts once.
 */
import type { Redis } from 'ioredis';
import type { Config } from '@runbox/config';
import { runningJobsKey } from './keys';

/** KEYS[1] the owner's set; ARGV job id, now, lease end, cap. 1 = taken (or already held), 0 = at the cap. */
const TAKE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1`;

/** Takes a running entry for job `jobId` of `owner`, unless the owner is at the cap. */
export async function takeRunningEntry(redis: Redis, config: Config, owner: string, jobId: string, leaseMs: number): Promise<boolean> {
  const now = Date.now();
  const taken = await redis.eval(TAKE, 1, runningJobsKey(config, owner), jobId, now, now + leaseMs, config.worker.maxRunningJobsPerKey);
  return taken === 1;
}

export async function releaseRunningEntry(redis: Redis, config: Config, owner: string, jobId: string): Promise<void> {
  await redis.zrem(runningJobsKey(config, owner), jobId);
}
