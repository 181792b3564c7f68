/**
 * Whether a new job may be queued: the queue overall has room (MAX_QUEUE_LENGTH) and the caller
 * has fewer than MAX_ACTIVE_JOBS_PER_KEY queued or running. Active jobs are kept per caller in
 * a Redis sorted set (score = submit time) shared by every API process; the worker removes a job
 * from it when the job ends, and entries older than the longest a job can live are dropped.
 *
 * A submission with an Idempotency-Key claims it in the same script: one round trip decides
 * "an earlier request has this key" (nothing else happens), "refused" (nothing is kept, the
 * claim neither), or "admitted and claimed". A single job is admitted and queued in one script
 * with BullMQ's own add (`admitAndQueue`), so a submission costs one round trip to Redis.
 */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS_QUEUE, type JobData, type JobResult } from '@runbox/contract';
import { Config } from '@runbox/config';
import { activeJobsKey, bullmqAddCall, bullmqKeys, BULLMQ_ADD_FUNCTION, BULLMQ_ADD_KEYS, LuaScript, REDIS } from '@runbox/queue';
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
 * The admission check and its record, as Lua functions the two scripts below share.
 * K: BullMQ's wait list, prioritized and delayed sets (the queue's length, as `getJobCounts`
 * counts it), the caller's active set, and the claim's key when there is one.
 * A: now (ms), the active entries' maximum age (ms), MAX_QUEUE_LENGTH, MAX_ACTIVE_JOBS_PER_KEY,
 * the claim's record and TTL (s) ('' without a claim).
 * `refusal` answers { 'earlier', record } | { 'full', queued } | { 'busy' }, or nil to admit.
 */
const ADMISSION = `
local function refusal(K, A, n)
  if K[5] then
    local earlier = redis.call('GET', K[5])
    if earlier then return {'earlier', earlier} end
  end
  local queued = redis.call('LLEN', K[1]) + redis.call('ZCARD', K[2]) + redis.call('ZCARD', K[3])
  if queued + n > tonumber(A[3]) then return {'full', queued} end
  redis.call('ZREMRANGEBYSCORE', K[4], 0, tonumber(A[1]) - tonumber(A[2]))
  if redis.call('ZCARD', K[4]) + n > tonumber(A[4]) then return {'busy'} end
  return nil
end
local function admit(K, A, ids)
  for _, id in ipairs(ids) do redis.call('ZADD', K[4], A[1], id) end
  redis.call('PEXPIRE', K[4], A[2])
  if K[5] then redis.call('SET', K[5], A[5], 'EX', A[6]) end
end
`;

/** KEYS: K above. ARGV: A above, then the job ids. Admits them all or none; answers a refusal or { 'ok' }. */
const ADMIT = new LuaScript(`${ADMISSION}
local ids = {unpack(ARGV, 7)}
local refused = refusal(KEYS, ARGV, #ids)
if refused then return refused end
admit(KEYS, ARGV, ids)
return {'ok'}`);

/**
 * One job's admission and BullMQ's add of it, in one call (libs/queue bullmq-add.ts): a refused
 * job is not added, and the admission is recorded once BullMQ's add has answered with the job's
 * id. KEYS: BullMQ's add's keys, then K above. ARGV: A above, the job id,
 * then BullMQ's add's arguments. Answers a refusal or { 'ok', id }; an error if BullMQ answered
 * anything but the id.
 */
const ADMIT_AND_ADD = new LuaScript(`${ADMISSION}${BULLMQ_ADD_FUNCTION}
local K, A = {unpack(KEYS, ${BULLMQ_ADD_KEYS} + 1)}, {unpack(ARGV, 1, 6)}
local refused = refusal(K, A, 1)
if refused then return refused end
local added = bullmq_add({unpack(KEYS, 1, ${BULLMQ_ADD_KEYS})}, {unpack(ARGV, 8)})
if added ~= ARGV[7] then return redis.error_reply('BullMQ did not add job ' .. ARGV[7] .. ': ' .. tostring(added)) end
admit(K, A, {ARGV[7]})
return {'ok', added}`);

@Injectable()
export class AdmissionService {
  constructor(
    private readonly config: Config,
    @InjectQueue(JOBS_QUEUE) private readonly queue: Queue,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Admits these new jobs for `caller`, or throws. The caller queues them, and gives the admission back if it cannot (`release`). */
  async admit(caller: Caller, ids: readonly string[]): Promise<void> {
    this.answer(await ADMIT.run(this.redis, this.admissionKeys(caller), [...this.admissionArgs(), ...ids]));
  }

  /**
   * Admits job `id` for `caller` (and makes `claim`, if given) and queues it under BullMQ's job
   * name `name`, in one call, or throws having done neither. Resolves with the queued job, or
   * with the record an earlier claim of the same key holds (then nothing was admitted or queued).
   */
  async admitAndQueue(
    caller: Caller,
    name: string,
    data: JobData,
    id: string,
    claim?: Claim,
  ): Promise<{ job: Job<JobData, JobResult> } | { earlier: string }> {
    const job = new Job<JobData, JobResult>(this.queue, name, data, { ...this.queue.defaultJobOptions, jobId: id }, id);
    const add = await bullmqAddCall(job);
    const earlier = this.answer(
      await ADMIT_AND_ADD.run(
        this.redis,
        [...add.keys, ...this.admissionKeys(caller, claim)],
        [...this.admissionArgs(claim), id, ...add.args],
      ),
    );
    return earlier === undefined ? { job } : { earlier };
  }

  private admissionKeys(caller: Caller, claim?: Claim): string[] {
    const bull = bullmqKeys(this.queue);
    return [bull.wait, bull.prioritized, bull.delayed, activeJobsKey(this.config, caller.quotaId), ...(claim ? [claim.key] : [])];
  }

  private admissionArgs(claim?: Claim): (string | number)[] {
    const { maxQueueLength, maxActiveJobsPerKey } = this.config.auth;
    return [Date.now(), ACTIVE_ENTRY_MAX_AGE_MS, maxQueueLength, maxActiveJobsPerKey, claim?.record ?? '', claim?.ttlS ?? 0];
  }

  /** An admission script's answer: the earlier claim's record, nothing (admitted), or the refusal thrown. */
  private answer(reply: unknown): string | undefined {
    const [answer, detail] = reply as [string, string | number | undefined];
    if (answer === 'earlier') return String(detail);
    if (answer === 'full') throw new ServiceBusy(`the queue is full (${detail} jobs waiting); try again shortly`, 5);
    if (answer === 'busy') throw new TooManyActiveJobs(this.config.auth.maxActiveJobsPerKey);
    return undefined;
  }

  /**
   * Gives back admissions (under quota identity `quotaId`) whose jobs were not queued after all.
   * A job that ends gives its own back (`recordJobEnd`).
   */
  async release(quotaId: string, ids: readonly string[]): Promise<void> {
    await this.redis.zrem(activeJobsKey(this.config, quotaId), ...ids);
  }
}
