/**
 * What happens in Redis when a worker starts a job, in one script (one call, one round trip):
 * the owner's running entry is taken unless the owner is at its cap (running.ts); then the job's
 * `running` event goes out and its cancel mark is read (a cancel published before the worker
 * followed the job leaves one).
 */
import type { Redis } from 'ioredis';
import type { Config } from '@runbox/config';
import { jobEventMessage } from './events';
import { cancelMarkKey, progressChannel, runningJobsKey } from './keys';
import { LuaScript } from './script';

/** The start as Redis saw it: the owner is at its cap (nothing else happened), or the job started, with a cancel mark or without. */
export type JobStart = 'at-cap' | 'cancelled' | 'started';

/**
 * KEYS[1] the job's cancel mark, KEYS[2] its owner's running set (absent: no owner). ARGV job id,
 * now, lease end, cap, progress channel, running event. -1 = at the cap, else whether the mark is set.
 */
const START = new LuaScript(`
if KEYS[2] then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
  if not redis.call('ZSCORE', KEYS[2], ARGV[1]) and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then
    return -1
  end
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  redis.call('PEXPIREAT', KEYS[2], ARGV[3])
end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return redis.call('EXISTS', KEYS[1])`);

/** Starts job `jobId` of `owner` (if any), whose running entry lasts `leaseMs` unless given back. */
export async function startJob(redis: Redis, config: Config, jobId: string, owner: string | undefined, leaseMs: number): Promise<JobStart> {
  const now = Date.now();
  const keys = [cancelMarkKey(config, jobId)];
  if (owner) keys.push(runningJobsKey(config, owner));
  const args = [jobId, now, now + leaseMs, config.worker.maxRunningJobsPerKey, progressChannel(config), jobEventMessage(jobId, 'running')];
  const answer = await START.run(redis, keys, args);
  return answer === -1 ? 'at-cap' : answer === 1 ? 'cancelled' : 'started';
}
