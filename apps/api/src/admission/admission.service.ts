/**
 * Whether a new job may be queued: the queue overall has room (MAX_QUEUE_LENGTH) and the caller
 * has fewer than MAX_ACTIVE_JOBS_PER_KEY queued or running. Active jobs are kept per caller in
 * a Redis sorted set (score = submit time) shared by every API process; the worker removes a job
 * from it when the job ends, and entries older than the longest a job can live are dropped.
 *
 * A submission with an Idempotency-Key claims it in the same script: one round trip decides
 * "an earlier request has this key" (nothing else happens), "refused" (nothing is kept, the
 * claim neither), or "admitted and claimed".
 */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS_QUEUE } from '@runbox/contract';
import { Config } from '@runbox/config';
import { activeJobsKey, bullmqKeys, LuaScript, REDIS } from '@runbox/queue';
import type { Caller } from '../auth/caller';
import { ServiceBusy, TooManyActiveJobs } from './admission.errors';

/** An entry older than this cannot be a live job (it would have been stalled and failed). */
const ACTIVE_ENTRY_MAX_AGE_MS = 6 * 60 * 60 * 1000;

/** A claim of an Idempotency-Key for the jobs being admitted: its Redis key, what it records, for how long. */
export interface Claim {
  key: string;
  record: string;
  ttlS: number;
}

/**
 * KEYS: BullMQ's wait list, prioritized and delayed sets (the queue's length, as `getJobCounts`
 * counts it), the caller's active set, and the claim's key when there is one.
 * ARGV: now (ms), the active entries' maximum age (ms), MAX_QUEUE_LENGTH, MAX_ACTIVE_JOBS_PER_KEY,
 * the claim's record and TTL (s) ('' without a claim), then the job ids.
 * Answers { 'earlier', record } | { 'full', queued } | { 'busy' } | { 'ok' }.
 */
const ADMIT = new LuaScript(`
if KEYS[5] then
  local earlier = redis.call('GET', KEYS[5])
  if earlier then return {'earlier', earlier} end
end
local n = #ARGV - 6
local queued = redis.call('LLEN', KEYS[1]) + redis.call('ZCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3])
if queued + n > tonumber(ARGV[3]) then return {'full', queued} end
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[4], 0, now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[4]) + n > tonumber(ARGV[4]) then return {'busy'} end
for i = 7, #ARGV do redis.call('ZADD', KEYS[4], now, ARGV[i]) end
redis.call('PEXPIRE', KEYS[4], ARGV[2])
if KEYS[5] then redis.call('SET', KEYS[5], ARGV[5], 'EX', ARGV[6]) end
return {'ok'}`);

@Injectable()
export class AdmissionService {
  constructor(
    private readonly config: Config,
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /**
   * Admits these new jobs for `caller` (and makes `claim`, if given), or throws. Resolves with
   * the record an earlier claim of the same key holds, when there is one: then nothing was
   * admitted.
   */
  async admit(caller: Caller, ids: readonly string[], claim?: Claim): Promise<string | undefined> {
    const bull = bullmqKeys(this.queue);
    const keys = [bull.wait, bull.prioritized, bull.delayed, activeJobsKey(this.config, caller.quotaId), ...(claim ? [claim.key] : [])];
    const { maxQueueLength, maxActiveJobsPerKey } = this.config.auth;
    const args = [Date.now(), ACTIVE_ENTRY_MAX_AGE_MS, maxQueueLength, maxActiveJobsPerKey, claim?.record ?? '', claim?.ttlS ?? 0, ...ids];
    const [answer, detail] = (await ADMIT.run(this.redis, keys, args)) as [string, string | number | undefined];
    if (answer === 'earlier') return String(detail);
    if (answer === 'full') throw new ServiceBusy(`the queue is full (${detail} jobs waiting); try again shortly`, 5);
    if (answer === 'busy') throw new TooManyActiveJobs(maxActiveJobsPerKey);
    return undefined;
  }

  /**
   * Gives back admissions (under quota identity `quotaId`) whose jobs were not queued after all,
   * and the claim made with them. A job that ends gives its own back (`recordJobEnd`).
   */
  async release(quotaId: string, ids: readonly string[], claim?: Claim): Promise<void> {
    const tx = this.redis.multi();
    if (ids.length > 0) tx.zrem(activeJobsKey(this.config, quotaId), ...ids);
    if (claim) tx.del(claim.key);
    await tx.exec();
  }
}
