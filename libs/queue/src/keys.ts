/**
 * Every key and pub/sub channel runbox itself keeps in Redis, in one table. All live under the
 * queue prefix (QUEUE_PREFIX, BullMQ's own `<prefix>:<queue>:…` keys beside them), so one Redis
 * can host several runboxes and a test its own namespace. BullMQ's own layout, which runbox also
 * reads, is described in bullmq-layout.ts.
 *
 *   key                                   type        written by          why
 *   <p>:idem:<sha256(quota, key)>         string      API                 Idempotency-Key → job id, 24 h
 *   <p>:rate:<quota>:<minute>             counter     API (AuthGuard)     requests in this minute's window
 *   <p>:active:<quota>                    sorted set  API, job end        queued+running job ids (admission)
 *   <p>:running:<owner>                   sorted set  worker              running job ids by lease end (running cap)
 *   <p>:annex:<kind>:<job>                string      API (compat)        a compatibility API's own data about a job
 *   <p>:annex:<kind>:owed-callbacks       sorted set  API (compat)        jobs whose end owes a callback in that API's shape
 *   <p>:support-file:<owner>:<id>         string      API (Jobe)          a stored support file, with a retention
 *   <p>:support-files:expiry|sizes|bytes  zset, hash, counter  API (Jobe)  the support-file store's index, sizes, total
 *   <p>:cancelled:<job>                   string      API                 tombstone: the view of a job cancelled while queued
 *   <p>:cancel-requested:<job>            string      API                 cancel mark a worker checks when it starts the job
 *   <p>:webhook:<job>                     string      worker (webhooks)   the job's webhook delivery record, JSON
 *   <p>:worker:<worker id>                string      worker              heartbeat (TTL), readiness and languages
 *   <p>:metrics:<name>                    hash        worker, job end     counters and histograms (metrics-store.ts)
 *   <p>:session-input:<job>               list        API (session)       stdin chunks for a live session's program, TTL
 *   <p>:cancel                            channel     API → workers       kill the sandbox of this job
 *   <p>:events                            channel     → every API         the end of every job
 *   <p>:events:progress                   channel     worker → API        running, compiled, each test
 *   <p>:live:<job>                        channel     worker → API        a live job's stages, output chunks, run ends
 *
 * The names shared across processes are persistent identifiers (libs/contract/src/queue.ts):
 * renaming one strands what is already stored under it.
 */
import {
  CANCEL_CHANNEL,
  LIVE_CHANNEL,
  SESSION_INPUT_KEY,
  CANCEL_REQUESTED_KEY,
  CANCELLED_KEY,
  EVENTS_CHANNEL,
  PROGRESS_CHANNEL,
  WORKER_HEARTBEAT_KEY,
} from '@runbox/contract';
import type { Config } from '@runbox/config';

/** Key part of a job's webhook delivery record (see `webhookKey`). */
export const WEBHOOK_KEY = 'webhook';

/** A runbox key in Redis: `parts` under the queue prefix. Prefer the named keys below. */
export function jobKey(config: Config, ...parts: string[]): string {
  return [config.redis.prefix, ...parts].join(':');
}

/** A caller's record of one Idempotency-Key, by a digest of both (idempotency.ts). */
export const idempotencyKey = (config: Config, digest: string) => jobKey(config, 'idem', digest);

/** A caller's request counter in the rate window numbered `window` (auth.guard.ts). */
export const rateKey = (config: Config, quotaId: string, window: number) => jobKey(config, 'rate', quotaId, String(window));

/** Sorted set of a caller's queued+running job ids (admission control), by quota identity. */
export const activeJobsKey = (config: Config, quotaId: string) => jobKey(config, 'active', quotaId);

/** Sorted set of an owner's running job ids, scored by the end of their lease (the per-key running cap, `running.ts`). */
export const runningJobsKey = (config: Config, owner: string) => jobKey(config, 'running', owner);

/** A compatibility API's own data about job `id` (`kind` names the API; apps/api/src/jobs/job-annex.ts). */
export const annexKey = (config: Config, kind: string, id: string) => jobKey(config, 'annex', kind, id);
/** Sorted set of the jobs whose end still owes a callback in `kind`'s shape. */
export const owedCallbacksKey = (config: Config, kind: string) => jobKey(config, 'annex', kind, 'owed-callbacks');

/**
 * Jobe's support files (apps/api/src/jobs/support-files.ts): each file under
 * `supportFilePrefix + <owner>:<id>`, and the store's index (member → expiry ms), sizes (member →
 * bytes) and byte total, which keep it within its cap.
 */
export const supportFilePrefix = (config: Config) => `${jobKey(config, 'support-file')}:`;
export const supportFileStoreKeys = (config: Config) => ({
  expiry: jobKey(config, 'support-files', 'expiry'),
  sizes: jobKey(config, 'support-files', 'sizes'),
  bytes: jobKey(config, 'support-files', 'bytes'),
});

/** The view of a job cancelled while still queued (its BullMQ record is removed). */
export const tombstoneKey = (config: Config, jobId: string) => jobKey(config, CANCELLED_KEY, jobId);

/** Set while a cancel request for a running job is fresh: a worker starting it later still sees it. */
export const cancelMarkKey = (config: Config, jobId: string) => jobKey(config, CANCEL_REQUESTED_KEY, jobId);

/** A job's webhook delivery record (`JobView.webhook`), JSON. */
export const webhookKey = (config: Config, jobId: string) => jobKey(config, WEBHOOK_KEY, jobId);

/** A worker's heartbeat; `heartbeatPattern` matches every worker's (a SCAN pattern). */
export const heartbeatKey = (config: Config, workerId: string) => jobKey(config, WORKER_HEARTBEAT_KEY, workerId);
export const heartbeatPattern = (config: Config) => `${globEscape(jobKey(config, WORKER_HEARTBEAT_KEY))}:*`;

/** The hashes of metrics-store.ts. */
export const metricsKeys = (prefix: string) => ({
  jobs: `${prefix}:metrics:jobs`,
  queueWait: `${prefix}:metrics:queue_wait`,
  runDuration: `${prefix}:metrics:run_duration`,
  sandboxFailures: `${prefix}:metrics:sandbox_failures`,
});

/** The pub/sub channels. */
export const cancelChannel = (config: Config) => jobKey(config, CANCEL_CHANNEL);
export const eventsChannel = (config: Config) => jobKey(config, EVENTS_CHANNEL);
export const progressChannel = (config: Config) => jobKey(config, PROGRESS_CHANNEL);
/** One live job's channel (libs/contract live.ts): only the API processes streaming that job subscribe it. */
export const liveChannel = (config: Config, jobId: string) => jobKey(config, LIVE_CHANNEL, jobId);

/** The stdin chunks a session sent its job's program, oldest first. */
export const sessionInputKey = (config: Config, jobId: string) => jobKey(config, SESSION_INPUT_KEY, jobId);

/** `s` matched literally in a Redis glob pattern (a prefix may contain `*`, `?`, `[`). */
function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
