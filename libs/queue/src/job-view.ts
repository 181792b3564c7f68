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
 * Job `id` as stored: from the queue, else from a cancelled job's tombstone; undefined when unknown.
 *
 * One transaction reads the job's state (the same sets and lists BullMQ's own state script looks
 * at, as far as the public status needs them), its record, its webhook delivery and its
 * tombstone: one round trip, and a state and a record from the same instant. (Read one after the
 * other, a job finishing in between could show `completed` with a running job's record: no result.)
 */
export async function loadJob(queue: Queue, redis: Redis, config: Config, id: string): Promise<StoredJob | undefined> {
  const bull = bullmqKeys(queue);
  const replies = await redis
    .multi()
    .zscore(bull.completed, id)
    .zscore(bull.failed, id)
    .lpos(bull.active, id)
    .hgetall(bull.job(id))
    .get(webhookKey(config, id))
    .get(tombstoneKey(config, id))
    .exec();
  if (!replies) throw new Error('the job view transaction was discarded');
  const failedReply = replies.find(([e]) => e);
  if (failedReply) throw failedReply[0]!;
  const [completed, failed, active, record, webhookRaw, tombstone] = replies.map(([, v]) => v) as [
    string | null,
    string | null,
    number | null,
    Record<string, string>,
    string | null,
    string | null,
  ];
  const webhook = webhookRaw ? (JSON.parse(webhookRaw) as WebhookDelivery) : undefined;
  let stored: StoredJob;
  if (record && Object.keys(record).length > 0) {
    const job = fromRecord(id, record);
    stored = { view: toJobView(job, stateOf(completed, failed, active)), owner: job.data.owner ?? null };
  } else if (tombstone) {
    const { owner, ...view } = JSON.parse(tombstone) as Tombstone;
    stored = { view, owner: owner ?? null };
  } else {
    return undefined;
  }
  if (webhook) stored.view.webhook = webhook;
  return stored;
}

/** The view of job `id` (see `loadJob`); undefined when unknown. */
export async function loadJobView(queue: Queue, redis: Redis, config: Config, id: string): Promise<JobView | undefined> {
  return (await loadJob(queue, redis, config, id))?.view;
}
