/**
 * The one mapping from BullMQ's job record to the public `JobView`. The API answers with it,
 * the webhook sender posts it, SSE ends with it: all three show the same job.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { CANCELLED_REASON, type JobStatus, type JobView, type WebhookDelivery } from '@runbox/contract';
import type { Config } from '@runbox/config';
import { bullmqKeys, fromRecord, stateOf, type JobRecord } from './bullmq-layout';
import { tombstoneKey, webhookKey } from './keys';
import { LuaScript } from './script';

const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null);

/** BullMQ state → public status. */
export function toStatus(state: string, failedReason: string | undefined): JobStatus {
  switch (state) {
    case 'active':
      return 'running';
    case 'completed':
      return 'completed';
    case 'failed':
      return failedReason === CANCELLED_REASON ? 'cancelled' : 'failed';
    default:
      return 'queued'; // waiting, prioritized, delayed, waiting-children
  }
}

export function toJobView(job: JobRecord, state: string): JobView {
  const status = toStatus(state, job.failedReason);
  const view: JobView = {
    id: job.id!,
    status,
    language: job.data.language,
    createdAt: new Date(job.timestamp).toISOString(),
    startedAt: iso(job.processedOn),
    finishedAt: status === 'completed' || status === 'failed' || status === 'cancelled' ? iso(job.finishedOn) : null,
    result: status === 'completed' ? (job.returnvalue ?? null) : null,
  };
  if (status === 'failed') view.error = job.failedReason;
  return view;
}

/** A job as stored: its view, and the quota identity that submitted it (`JobData.owner`). */
export interface StoredJob {
  view: JobView;
  owner: string | null;
}

/** A cancelled job's tombstone: its last view, and its owner (which is not part of the view). */
export type Tombstone = JobView & { owner: string | null };

/**
 * KEYS: BullMQ's completed and failed sets and active list, then per job its record, its webhook
 * delivery and its tombstone. Answers per job, in order: its completed score, failed score,
 * active position, record (field, value, …), webhook delivery, tombstone (false when absent).
 * One script: the state and the record of each job come from the same instant. (Read one after
 * the other, a job finishing in between could show `completed` with a running job's record: no
 * result.) The state is read from the same sets and list BullMQ's own state script looks at, as
 * far as the public status needs them.
 */
const LOAD = new LuaScript(`
local out = {}
for i = 4, #KEYS, 3 do
  local id = ARGV[(i - 1) / 3]
  out[#out + 1] = {
    redis.call('ZSCORE', KEYS[1], id),
    redis.call('ZSCORE', KEYS[2], id),
    redis.call('LPOS', KEYS[3], id),
    redis.call('HGETALL', KEYS[i]),
    redis.call('GET', KEYS[i + 1]),
    redis.call('GET', KEYS[i + 2]),
  }
end
return out`);

type Loaded = [string | null, string | null, number | null, string[], string | null, string | null];

function storedOf(id: string, [completed, failed, active, fields, webhookRaw, tombstone]: Loaded): StoredJob | undefined {
  let stored: StoredJob;
  if (fields.length > 0) {
    const record: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
    const job = fromRecord(id, record);
    stored = { view: toJobView(job, stateOf(completed, failed, active)), owner: job.data.owner ?? null };
  } else if (tombstone) {
    const { owner, ...view } = JSON.parse(tombstone) as Tombstone;
    stored = { view, owner: owner ?? null };
  } else {
    return undefined;
  }
  if (webhookRaw) stored.view.webhook = JSON.parse(webhookRaw) as WebhookDelivery;
  return stored;
}

/** Jobs `ids` as stored, in order (see `loadJob`), in one round trip. */
export async function loadJobs(queue: Queue, redis: Redis, config: Config, ids: readonly string[]): Promise<(StoredJob | undefined)[]> {
  if (ids.length === 0) return [];
  const bull = bullmqKeys(queue);
  const keys = [bull.completed, bull.failed, bull.active];
  for (const id of ids) keys.push(bull.job(id), webhookKey(config, id), tombstoneKey(config, id));
  const replies = (await LOAD.run(redis, keys, ids)) as Loaded[];
  return ids.map((id, i) => storedOf(id, replies[i]!));
}

/** Job `id` as stored: from the queue, else from a cancelled job's tombstone; undefined when unknown. */
export async function loadJob(queue: Queue, redis: Redis, config: Config, id: string): Promise<StoredJob | undefined> {
  return (await loadJobs(queue, redis, config, [id]))[0];
}

/** The view of job `id` (see `loadJob`); undefined when unknown. */
export async function loadJobView(queue: Queue, redis: Redis, config: Config, id: string): Promise<JobView | undefined> {
  return (await loadJob(queue, redis, config, id))?.view;
}
