/**
 * The cap on jobs of one owner (API key, or address when open) running at once across every
 * worker (MAX_RUNNING_JOBS_PER_KEY), so that one key cannot hold every slot of a fleet while
 * others wait. An owner's running jobs are a sorted set of job ids scored by the end of their
 * lease: a worker takes an entry, atomically with the count, when it starts a job (job-start.ts),
 * and gives it back when that attempt ends (with the rest of the job's end when it is final,
 * job-end.ts); the entry of a worker that died with it lapses with its lease. An
 * entry is per job id, so a job run again (a stalled one, a retry) counts once.
 */
import type { Redis } from 'ioredis';
import type { Config } from '@runbox/config';
import { runningJobsKey } from './keys';

export async function releaseRunningEntry(redis: Redis, config: Config, owner: string, jobId: string): Promise<void> {
  await redis.zrem(runningJobsKey(config, owner), jobId);
}
