/**
 * The one mapping from BullMQ's job record to the public `JobView`. The API answers with it,
 * the webhook sender posts it, SSE ends with it: all three show the same job.
 */
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { CANCELLED_KEY, CANCELLED_REASON, type JobData, type JobResult, type JobStatus, type JobView, type WebhookDelivery } from '@runbox/contract';
import type { Config } from '@runbox/config';
import { jobKey } from './keys';

/** Key of a job's webhook delivery record. */
export const WEBHOOK_KEY = 'webhook';

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

export function toJobView(job: Job<JobData, JobResult>, state: string, webhook?: WebhookDelivery): JobView {
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
  if (webhook) view.webhook = webhook;
  return view;
}

/**
 * The view of job `id`: from the queue, else from a cancelled job's record; undefined when unknown.
 *
 * The state is read before the record. BullMQ writes a job's return value and moves it to
 * `completed` in one script, so a record read after the state holds everything that state
 * promises. Read the other way round, a job finishing between the two reads would show as
 * `completed` with the record of a running job: no result.
 */
export async function loadJobView(queue: Queue, redis: Redis, config: Config, id: string): Promise<JobView | undefined> {
  const [state, webhookRaw] = await Promise.all([queue.getJobState(id), redis.get(jobKey(config, WEBHOOK_KEY, id))]);
  const webhook = webhookRaw ? (JSON.parse(webhookRaw) as WebhookDelivery) : undefined;
  const job = state === 'unknown' ? undefined : ((await queue.getJob(id)) as Job<JobData, JobResult> | undefined);
  if (job) return toJobView(job, state, webhook);
  const tombstone = await redis.get(jobKey(config, CANCELLED_KEY, id));
  if (!tombstone) return undefined;
  const view = JSON.parse(tombstone) as JobView;
  return webhook ? { ...view, webhook } : view;
}
